// Placeholder so the target exists; replaced by the issue 6 work in progress.
