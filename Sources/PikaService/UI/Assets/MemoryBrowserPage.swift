/// The memory browser's HTML (`GET /ui`): the page's skeleton. Everything shown from the API is added by
/// `app.js` as text nodes; the page itself holds no inline script or style (the CSP forbids both).
enum MemoryBrowserPage {
    /// The document.
    static let html = ##"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>Pika Memory</title>
        <link rel="stylesheet" href="/ui/app.css">
        <script src="/ui/app.js" defer></script>
        </head>
        <body>
        <header class="bar">
          <h1>Pika Memory</h1>
          <div id="who" hidden>
            <span id="who-tenant"></span>
            <span id="who-role" class="badge"></span>
            <button id="signout" type="button">Sign out</button>
          </div>
        </header>
        <p id="status" role="status" aria-live="polite"></p>
        <main>
          <section id="signin-view" class="card narrow">
            <form id="signin" method="post" autocomplete="off">
              <h2>Sign in</h2>
              <label for="signin-key">API key</label>
              <input id="signin-key" name="key" type="password" required maxlength="256" autocomplete="off" spellcheck="false">
              <button type="submit" class="primary">Sign in</button>
              <p class="hint">The key stays in this browser tab (session storage) and is sent only in the
              <code>X-API-Key</code> header of the page's API calls.</p>
            </form>
          </section>

          <div id="app-view" class="layout" hidden>
            <aside id="side">
              <section class="card">
                <h2>Users</h2>
                <form id="open-user" class="row">
                  <label class="grow">User id <input id="open-user-id" maxlength="128" autocomplete="off" spellcheck="false"></label>
                  <button type="submit">Open</button>
                </form>
                <ul id="users" class="users"></ul>
                <p id="users-empty" class="hint" hidden>No users with memories yet.</p>
                <button id="users-more" type="button" hidden>More users</button>
              </section>
              <section class="card">
                <h2>Job status</h2>
                <form id="job-form" class="row">
                  <label class="grow">Job id <input id="job-id" maxlength="64" autocomplete="off" spellcheck="false"></label>
                  <button type="submit">Check</button>
                </form>
                <dl id="job-result" class="fields"></dl>
              </section>
            </aside>

            <section id="detail">
              <p id="pick-hint" class="card hint">Choose a user to see what is remembered about them.</p>
              <div id="user-view" hidden>
                <section class="card">
                  <div class="user-head">
                    <h2 id="user-title"></h2>
                    <span id="user-count" class="muted"></span>
                    <button id="delete-user" type="button" class="danger">Delete user</button>
                  </div>
                  <figure id="chart-box">
                    <div id="chart"></div>
                    <figcaption id="chart-caption" class="muted"></figcaption>
                  </figure>
                </section>

                <section class="card">
                  <h3>Search</h3>
                  <form id="search-form" class="row wrap">
                    <label class="grow">Query <input id="search-query" maxlength="2000" autocomplete="off" required></label>
                    <label>Mode
                      <select id="search-mode">
                        <option value="hybrid" selected>hybrid</option>
                        <option value="vector">vector</option>
                        <option value="keyword">keyword</option>
                      </select>
                    </label>
                    <button type="submit" class="primary">Search</button>
                  </form>
                  <div id="search-box" hidden>
                    <p id="search-meta" class="muted"></p>
                    <ol id="search-results" class="memories"></ol>
                    <ul id="relations" class="relations"></ul>
                  </div>
                </section>

                <section id="add-box" class="card">
                  <h3>Add a memory</h3>
                  <form id="add-form">
                    <label for="add-text">Message from the user</label>
                    <textarea id="add-text" rows="2" maxlength="10000" required></textarea>
                    <div class="row">
                      <label class="check"><input id="add-infer" type="checkbox" checked> extract facts</label>
                      <button type="submit" class="primary">Add</button>
                    </div>
                  </form>
                </section>

                <section class="card">
                  <h3>Memories <small class="muted">oldest first</small></h3>
                  <ol id="memories" class="memories"></ol>
                  <button id="memories-more" type="button" hidden>More memories</button>
                </section>
              </div>
            </section>
          </div>
        </main>
        <dialog id="confirm">
          <p id="confirm-text"></p>
          <div class="row end">
            <button id="confirm-cancel" type="button">Cancel</button>
            <button id="confirm-ok" type="button" class="danger">Delete</button>
          </div>
        </dialog>
        </body>
        </html>
        """##
}
