extension MemoryBrowserScript {
    /// A user's memories (paged), a memory's card, history, edit and delete, search, and adding one.
    static let memories = ##"""
        async function loadMemories() {
          const user = state.user;
          const query = new URLSearchParams({ user_id: user, limit: '20' });
          if (state.memoriesCursor) query.set('cursor', state.memoriesCursor);
          const { data } = await api('GET', '/v1/memories?' + query);
          if (state.user !== user) return;  // another user was opened meanwhile
          for (const memory of data.results || []) $('memories').append(memoryCard(memory));
          state.memoriesCursor = data.next_cursor || null;
          $('memories-more').hidden = !state.memoriesCursor;
          if (!$('memories').children.length) $('memories').append(el('li', { class: 'hint', text: 'No memories.' }));
        }

        // One memory: its kind (when the API gives one), text, times, provenance, metadata, and actions.
        function memoryCard(memory, score) {
          const item = el('li', { class: 'memory', 'data-id': memory.id, 'data-score': score });
          const head = el('div', { class: 'head' });
          if (score !== undefined) head.append(el('span', { class: 'score', title: 'score', text: Number(score).toFixed(3) }));
          if (memory.kind) head.append(el('span', { class: 'badge kind', text: memory.kind }));
          head.append(timeNode(memory.created_at));
          if (memory.updated_at && memory.updated_at !== memory.created_at) head.append(el('span', {}, 'edited ', timeNode(memory.updated_at)));
          const fields = el('dl', { class: 'fields' });
          const field = (name, value) => {
            if (value === undefined || value === null || value === '') return;
            fields.append(el('dt', { text: name }), el('dd', {}, value));
          };
          if (memory.occurred_at) field('happened', timeNode(memory.occurred_at));
          field('agent', memory.agent_id);
          field('run', memory.run_id);
          if (Array.isArray(memory.provenance) && memory.provenance.length) field('provenance', memory.provenance.join(', '));
          if (memory.metadata && Object.keys(memory.metadata).length) field('metadata', el('pre', { text: JSON.stringify(memory.metadata, null, 1) }));
          field('id', el('code', { text: memory.id }));
          const history = el('div', { class: 'history', hidden: true });
          const actions = el('div', { class: 'actions' },
            button('History', 'link history-toggle', () => attempt(() => toggleHistory(memory.id, history))));
          if (canWrite()) {
            actions.append(button('Edit', 'link edit', () => startEdit(item, memory)));
            actions.append(button('Delete', 'link danger delete', () => attempt(() => deleteMemory(memory))));
          }
          item.append(head, el('p', { class: 'text', text: memory.memory }), fields, actions, history);
          return item;
        }

        async function toggleHistory(id, box) {
          if (!box.hidden) { box.hidden = true; return; }
          const { data } = await api('GET', '/v1/memories/' + encodeURIComponent(id) + '/history');
          const entries = Array.isArray(data) ? data : (data.results || []);
          const list = el('ol');
          for (const entry of entries) {
            const line = el('li', { class: 'entry' }, el('strong', { text: entry.event }), ' ', timeNode(entry.created_at));
            if (entry.old_memory) line.append(el('div', {}, el('span', { class: 'muted', text: 'before: ' }), entry.old_memory));
            if (entry.new_memory) line.append(el('div', {}, el('span', { class: 'muted', text: 'after: ' }), entry.new_memory));
            list.append(line);
          }
          box.replaceChildren(entries.length ? list : el('p', { class: 'hint', text: 'No history.' }));
          box.hidden = false;
        }

        function startEdit(item, memory) {
          if (item.querySelector('.edit-form')) return;
          const text = el('textarea', { class: 'edit-text', rows: 3, maxlength: 10000 });
          text.value = memory.memory;
          const metadata = el('textarea', { class: 'edit-metadata', rows: 3, spellcheck: 'false' });
          metadata.value = JSON.stringify(memory.metadata || {}, null, 1);
          const form = el('form', { class: 'edit-form' },
            el('label', {}, 'Text', text), el('label', {}, 'Metadata (a JSON object)', metadata));
          const save = el('button', { type: 'submit', class: 'primary save', text: 'Save' });
          form.append(el('div', { class: 'row end' }, button('Cancel', 'cancel', () => form.remove()), save));
          form.addEventListener('submit', (event) => {
            event.preventDefault();
            attempt(() => saveEdit(item, memory, text.value, metadata.value));
          });
          item.querySelector('.actions').after(form);
          text.focus();
        }

        // Sends only what changed; a metadata key removed in the editor is sent as null, which removes it.
        async function saveEdit(item, memory, newText, metadataText) {
          let metadata;
          try { metadata = JSON.parse(metadataText.trim() || '{}'); } catch (_) { throw new Error('Metadata is not valid JSON.'); }
          if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error('Metadata must be a JSON object.');
          const body = {};
          if (newText.trim() && newText !== memory.memory) body.text = newText;
          const old = memory.metadata || {};
          const changes = {};
          for (const name of Object.keys(old)) if (!(name in metadata)) changes[name] = null;
          for (const [name, value] of Object.entries(metadata)) if (JSON.stringify(old[name]) !== JSON.stringify(value)) changes[name] = value;
          if (Object.keys(changes).length) body.metadata = changes;
          if (!Object.keys(body).length) { item.querySelector('.edit-form').remove(); return; }
          const { data } = await api('PUT', '/v1/memories/' + encodeURIComponent(memory.id), body);
          for (const card of document.querySelectorAll('.memory')) {
            if (card.dataset.id === memory.id) card.replaceWith(memoryCard(data, card.dataset.score));
          }
          say('Memory updated.');
        }

        async function deleteMemory(memory) {
          const question = 'Delete this memory? Its history is kept until the user is deleted.\n\n' + memory.memory;
          if (!(await confirmAction(question, 'Delete'))) return;
          await api('DELETE', '/v1/memories/' + encodeURIComponent(memory.id));
          for (const card of document.querySelectorAll('.memory')) if (card.dataset.id === memory.id) card.remove();
          say('Memory deleted.');
          await loadChart(state.user);
        }

        // Searches as the API does; shows each score and the tier that answered (X-Pika-Cache).
        async function search() {
          const user = state.user;
          const body = { user_id: user, query: $('search-query').value, mode: $('search-mode').value, limit: 10 };
          const { data, headers } = await api('POST', '/v1/memories/search', body);
          if (state.user !== user) return;
          const results = data.results || [];
          const tier = headers.get('X-Pika-Cache') || 'not reported';
          $('search-meta').replaceChildren(plural(results.length, 'result', 'results') + ' · ' + body.mode + ' · answered by ',
            el('span', { id: 'search-tier', class: 'badge', title: 'X-Pika-Cache', text: tier }));
          $('search-results').replaceChildren(...results.map((result) => memoryCard(result, result.score)));
          $('relations').replaceChildren(...(data.relations || []).map((r) =>
            el('li', { text: r.source + ' — ' + r.relation + ' → ' + r.target })));
          $('search-box').hidden = false;
        }

        async function addMemory() {
          const user = state.user;
          const text = $('add-text').value.trim();
          if (!user || !text) return;
          const { data } = await api('POST', '/v1/memories',
            { user_id: user, messages: [{ role: 'user', content: text }], infer: $('add-infer').checked, async: true });
          $('add-text').value = '';
          $('job-id').value = data.job_id;
          say('Queued job ' + data.job_id + '.');
          await watchJob(data.job_id, user);
        }
        """##
}
