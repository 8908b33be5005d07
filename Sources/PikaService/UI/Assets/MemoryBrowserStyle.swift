/// The memory browser's style sheet (`GET /ui/app.css`): one column on a phone, users beside the
/// selected user from 900 px; nothing wider than the viewport (long ids and texts wrap anywhere).
enum MemoryBrowserStyle {
    /// The style sheet.
    static let css = ##"""
        :root {
          --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #5b6474; --line: #d9dde5;
          --accent: #2457c5; --danger: #b3261e; --ok: #1e7b34; --radius: 8px;
          color-scheme: light;
        }
        *, *::before, *::after { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--bg); color: var(--ink);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
          overflow-wrap: anywhere;
        }
        [hidden] { display: none !important; }
        h1 { font-size: 1.15rem; margin: 0; }
        h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
        h3 { font-size: 1rem; margin: 0 0 .6rem; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
        .muted, .hint { color: var(--muted); }
        .hint { font-size: .9rem; }
        .bar {
          display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem;
          padding: .6rem 1rem; background: var(--ink); color: #fff;
        }
        #who { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
        .badge {
          display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem;
          background: #e7ecf7; color: var(--accent); border: 1px solid #c5d1ee;
        }
        .bar .badge { background: #33405a; color: #fff; border-color: #4b5a78; }
        #status { margin: 0; padding: 0 1rem; min-height: 1.6rem; line-height: 1.6rem; }
        #status.error { color: var(--danger); font-weight: 600; }
        main { padding: 0 .6rem 2rem; max-width: 1280px; margin: 0 auto; }
        .card {
          background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
          padding: .8rem; margin: 0 0 .8rem; min-width: 0;
        }
        .narrow { max-width: 26rem; margin: 2rem auto; }
        .layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: .8rem; }
        @media (min-width: 900px) {
          .layout { grid-template-columns: 18rem minmax(0, 1fr); align-items: start; }
        }
        #side, #detail { min-width: 0; }
        label { display: block; font-size: .9rem; color: var(--muted); }
        input, select, textarea, button { font: inherit; }
        input, select, textarea {
          display: block; width: 100%; max-width: 100%; margin-top: .2rem; padding: .4rem .5rem;
          border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink);
        }
        textarea { resize: vertical; }
        label.check { display: flex; align-items: center; gap: .35rem; color: var(--ink); }
        label.check input { width: auto; margin: 0; }
        button {
          padding: .4rem .8rem; border: 1px solid var(--line); border-radius: 6px; background: #fff;
          color: var(--ink); cursor: pointer; white-space: nowrap;
        }
        button:hover { border-color: var(--accent); }
        button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible {
          outline: 2px solid var(--accent); outline-offset: 1px;
        }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.danger { color: var(--danger); border-color: #e5b6b3; }
        button.danger:hover { background: var(--danger); color: #fff; }
        button.link { border: 0; padding: .15rem .3rem; color: var(--accent); background: none; }
        #signin button { margin-top: .7rem; width: 100%; }
        .row { display: flex; gap: .5rem; align-items: flex-end; margin-top: .5rem; }
        .row.wrap { flex-wrap: wrap; }
        .row.end { justify-content: flex-end; }
        .grow { flex: 1 1 10rem; min-width: 0; }
        .users { list-style: none; margin: .6rem 0; padding: 0; }
        .users li + li { border-top: 1px solid var(--line); }
        .users button {
          display: flex; width: 100%; justify-content: space-between; gap: .5rem; border: 0; border-radius: 0;
          padding: .45rem .3rem; text-align: left; white-space: normal; background: none;
        }
        .users button[aria-current="true"] { background: #e7ecf7; font-weight: 600; }
        .users .name { min-width: 0; }
        .users .count { color: var(--muted); flex: none; }
        .fields { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem .6rem; margin: .5rem 0 0; }
        .fields dt { color: var(--muted); }
        .fields dd { margin: 0; min-width: 0; }
        #job-result dd { white-space: pre-wrap; }
        .user-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .4rem .8rem; }
        .user-head h2 { margin: 0; }
        .user-head .danger { margin-left: auto; }
        figure { margin: .6rem 0 0; }
        #chart { width: 100%; }
        #chart svg { display: block; max-width: 100%; }
        #chart .bar-rect { fill: var(--accent); }
        #chart .axis { stroke: var(--line); }
        #chart text { fill: var(--muted); font-size: 11px; }
        .memories { list-style: none; margin: 0; padding: 0; }
        .memory { border-top: 1px solid var(--line); padding: .6rem 0; min-width: 0; }
        .memory:first-child { border-top: 0; }
        .memory .head { display: flex; flex-wrap: wrap; gap: .3rem .6rem; align-items: center; font-size: .85rem; color: var(--muted); }
        .memory .text { margin: .3rem 0; white-space: pre-wrap; font-size: 1rem; }
        .memory .score { font-variant-numeric: tabular-nums; color: var(--ink); font-weight: 600; }
        .memory .fields { font-size: .85rem; }
        .memory pre, .history pre {
          margin: 0; white-space: pre-wrap; font: .85rem/1.35 ui-monospace, "DejaVu Sans Mono", monospace;
        }
        .actions { display: flex; flex-wrap: wrap; gap: .3rem; margin-top: .3rem; }
        .history { margin: .4rem 0 0; padding: .4rem .6rem; border-left: 3px solid var(--line); font-size: .9rem; }
        .history ol { margin: 0; padding-left: 1.2rem; }
        .history li { margin: .2rem 0; }
        .relations { margin: .5rem 0 0; padding-left: 1.2rem; color: var(--muted); }
        .ok { color: var(--ok); }
        .bad { color: var(--danger); }
        dialog {
          border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem;
          width: min(26rem, calc(100vw - 2rem));
        }
        dialog::backdrop { background: rgba(20, 24, 33, .45); }
        """##
}
