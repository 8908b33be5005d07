extension MemoryBrowserScript {
    /// Helpers (element building, API calls, confirmation), signing in and out, and start-up.
    static let core = ##"""
        'use strict';
        // Pika Memory's browser. Everything from the API is written as text; nothing here parses HTML.

        const KEY_SLOT = 'pika.apiKey';       // sessionStorage: gone when the tab closes, never sent as a cookie
        const NOTICE_SLOT = 'pika.notice';    // a message to show after the reload that signs out
        const state = { key: null, role: null, tenant: null, user: null, usersCursor: null, memoriesCursor: null };
        const $ = (id) => document.getElementById(id);

        // An element with attributes set by name and children appended as nodes (strings become text nodes).
        function el(tag, props, ...children) {
          const node = document.createElement(tag);
          for (const [name, value] of Object.entries(props || {})) {
            if (value === undefined || value === null || value === false) continue;
            if (name === 'text') node.textContent = String(value);
            else if (name === 'class') node.className = value;
            else node.setAttribute(name, String(value));
          }
          for (const child of children) {
            if (child === undefined || child === null) continue;
            node.append(child instanceof Node ? child : document.createTextNode(String(child)));
          }
          return node;
        }

        function button(label, className, onClick) {
          const node = el('button', { type: 'button', class: className, text: label });
          node.addEventListener('click', onClick);
          return node;
        }

        function canWrite() { return state.role === 'write' || state.role === 'admin'; }

        function say(message, isError) {
          $('status').textContent = message || '';
          $('status').classList.toggle('error', !!isError);
        }

        class ApiError extends Error {
          constructor(status, code, detail) { super(detail); this.status = status; this.code = code; }
        }

        // One API call with the key in its header; a problem body becomes an ApiError carrying its detail.
        async function api(method, path, body) {
          const headers = { 'X-API-Key': state.key, 'Accept': 'application/json' };
          const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
          if (body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
          const response = await fetch(path, init);
          const text = await response.text();
          let data = null;
          if (text) { try { data = JSON.parse(text); } catch (_) { data = null; } }
          if (!response.ok) {
            const detail = (data && (data.detail || data.title)) || (response.status + ' ' + response.statusText);
            if (response.status === 401 && state.role) signOut('The key was refused (' + detail + '); sign in again.');
            throw new ApiError(response.status, data && data.code, detail);
          }
          return { data, headers: response.headers };
        }

        // Runs an action, showing its error in the status line rather than losing it in the console.
        async function attempt(action) {
          try { return await action(); } catch (error) { say(error.message || String(error), true); return undefined; }
        }

        function formatTime(iso) {
          if (!iso) return '';
          const date = new Date(iso);
          return isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
        }

        function timeNode(iso) { return el('time', { datetime: iso, title: iso, text: formatTime(iso) }); }

        // A modal yes/no question; resolves true only when the danger button is pressed.
        function confirmAction(message, okLabel) {
          const dialog = $('confirm');
          $('confirm-text').textContent = message;
          $('confirm-ok').textContent = okLabel || 'Delete';
          return new Promise((resolve) => {
            const finish = (answer) => {
              $('confirm-ok').removeEventListener('click', yes);
              $('confirm-cancel').removeEventListener('click', no);
              dialog.removeEventListener('close', no);
              if (dialog.open) dialog.close();
              resolve(answer);
            };
            const yes = () => finish(true);
            const no = () => finish(false);
            $('confirm-ok').addEventListener('click', yes);
            $('confirm-cancel').addEventListener('click', no);
            dialog.addEventListener('close', no);
            dialog.showModal();
          });
        }

        // Checks the key with GET /v1/me, keeps it for this tab, and shows what its role may do.
        async function signIn(key) {
          state.key = key;
          let me;
          try {
            me = (await api('GET', '/v1/me')).data;
          } catch (error) {
            state.key = null;
            sessionStorage.removeItem(KEY_SLOT);
            throw error;
          }
          sessionStorage.setItem(KEY_SLOT, key);
          state.role = me.role;
          state.tenant = me.tenant;
          $('who-tenant').textContent = 'tenant ' + me.tenant;
          $('who-role').textContent = me.role;
          $('who').hidden = false;
          $('signin-view').hidden = true;
          $('app-view').hidden = false;
          // A read-only key gets no edit controls at all (the API would refuse them with 403 anyway).
          if (!canWrite()) { $('delete-user').remove(); $('add-box').remove(); }
          say('');
          await loadUsers(true);
        }

        // Forgets the key and reloads the page, which starts from a clean state.
        function signOut(notice) {
          sessionStorage.removeItem(KEY_SLOT);
          if (notice) sessionStorage.setItem(NOTICE_SLOT, notice);
          state.key = null;
          location.replace('/ui');
        }

        function onSubmit(id, action) {
          $(id).addEventListener('submit', (event) => { event.preventDefault(); attempt(action); });
        }

        function boot() {
          onSubmit('signin', () => {
            const key = $('signin-key').value.trim();
            $('signin-key').value = '';
            return signIn(key);
          });
          $('signout').addEventListener('click', () => signOut());
          onSubmit('open-user', () => openUser($('open-user-id').value.trim()));
          $('users-more').addEventListener('click', () => attempt(() => loadUsers(false)));
          onSubmit('job-form', () => showJob($('job-id').value.trim()));
          onSubmit('search-form', search);
          onSubmit('add-form', addMemory);
          $('memories-more').addEventListener('click', () => attempt(loadMemories));
          $('delete-user').addEventListener('click', () => attempt(deleteUser));
          window.addEventListener('resize', redrawChart);
          const notice = sessionStorage.getItem(NOTICE_SLOT);
          if (notice) { sessionStorage.removeItem(NOTICE_SLOT); say(notice, true); }
          const saved = sessionStorage.getItem(KEY_SLOT);
          if (saved) attempt(() => signIn(saved));
        }
        """##
}
