extension MemoryBrowserScript {
    /// The tenant's users (`GET /v1/users`, paged), opening and deleting a user, and job status.
    static let users = ##"""
        function plural(count, one, many) { return count + ' ' + (count === 1 ? one : many); }

        async function loadUsers(reset) {
          if (reset) { $('users').replaceChildren(); state.usersCursor = null; }
          const query = new URLSearchParams({ limit: '50' });
          if (state.usersCursor) query.set('cursor', state.usersCursor);
          let data;
          try {
            data = (await api('GET', '/v1/users?' + query)).data;
          } catch (error) {
            // A server without the user list still serves the rest: users are then opened by id.
            if (error.status !== 404) throw error;
            $('users-empty').textContent = 'This server does not list users; open one by id.';
            $('users-empty').hidden = false;
            return;
          }
          for (const user of data.results || []) $('users').append(userItem(user));
          state.usersCursor = data.next_cursor || null;
          $('users-more').hidden = !state.usersCursor;
          $('users-empty').hidden = $('users').children.length > 0;
          markCurrentUser();
        }

        function userItem(user) {
          const count = Number(user.memory_count || 0);
          const open = el('button', { type: 'button', class: 'user', 'data-user': user.user_id },
            el('span', { class: 'name', text: user.user_id }),
            el('span', { class: 'count', title: plural(count, 'memory', 'memories'), text: String(count) }));
          open.addEventListener('click', () => attempt(() => openUser(user.user_id)));
          return el('li', {}, open);
        }

        function markCurrentUser() {
          for (const item of document.querySelectorAll('#users button.user')) {
            item.setAttribute('aria-current', String(item.dataset.user === state.user));
          }
        }

        // Shows one user: their memories (first page), the chart of all of them, and the search form.
        async function openUser(userID) {
          if (!userID) return;
          state.user = userID;
          state.memoriesCursor = null;
          markCurrentUser();
          $('pick-hint').hidden = true;
          $('user-view').hidden = false;
          $('user-title').textContent = userID;
          $('user-count').textContent = '';
          $('search-box').hidden = true;
          $('search-results').replaceChildren();
          $('relations').replaceChildren();
          $('memories').replaceChildren();
          $('chart').replaceChildren();
          $('chart-caption').textContent = 'Loading…';
          say('');
          // On a phone the user is below the users list: bring it into view.
          if (window.matchMedia('(max-width: 899px)').matches) $('user-view').scrollIntoView({ block: 'start' });
          await Promise.all([loadMemories(), loadChart(userID)]);
        }

        // Reloads the open user after a change (an added, edited or deleted memory).
        async function refreshUser() {
          const user = state.user;
          if (!user) return;
          state.memoriesCursor = null;
          $('memories').replaceChildren();
          await Promise.all([loadMemories(), loadChart(user)]);
        }

        async function deleteUser() {
          const user = state.user;
          if (!user) return;
          const question = 'Delete user ' + user + ' and everything remembered about them: memories, history, graph and jobs? This cannot be undone.';
          if (!(await confirmAction(question, 'Delete user'))) return;
          const { data } = await api('DELETE', '/v1/users/' + encodeURIComponent(user));
          state.user = null;
          $('user-view').hidden = true;
          $('pick-hint').hidden = false;
          await loadUsers(true);
          say('Deleted user ' + user + ' (' + plural(data.deleted_memories, 'memory', 'memories') + ').');
        }

        // Shows a job's status in the job panel and returns the job.
        async function showJob(id) {
          if (!id) return undefined;
          const { data } = await api('GET', '/v1/jobs/' + encodeURIComponent(id));
          const box = $('job-result');
          box.replaceChildren();
          const field = (name, value, className) => box.append(el('dt', { text: name }), el('dd', { class: className, text: value }));
          field('id', data.id);
          field('status', data.status, data.status === 'completed' ? 'ok' : data.status === 'failed' ? 'bad' : undefined);
          field('attempts', String(data.attempts));
          field('created', formatTime(data.created_at));
          field('updated', formatTime(data.updated_at));
          if (data.error) field('error', data.error, 'bad');
          if (data.result && Array.isArray(data.result.results)) {
            const lines = data.result.results.map((r) => (r.event || '') + ' ' + (r.memory || ''));
            field('result', lines.length ? lines.join('\n') : 'nothing new to remember');
          }
          return data;
        }

        // Polls a job until it finishes (at most a minute), then reloads its user if still open.
        async function watchJob(id, user) {
          for (let round = 0; round < 120; round++) {
            const job = await showJob(id);
            if (job.status === 'completed' || job.status === 'failed') {
              if (state.user === user) await refreshUser();
              say(job.status === 'completed' ? 'Job ' + id + ' completed.' : 'Job ' + id + ' failed: ' + job.error, job.status !== 'completed');
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
        """##
}
