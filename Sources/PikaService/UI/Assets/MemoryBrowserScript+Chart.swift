extension MemoryBrowserScript {
    /// The chart of a user's memories over time: an SVG bar chart drawn at the box's own pixel width
    /// (so its labels stay legible on a phone), redrawn when the window is resized.
    static let chart = ##"""
        const SVG_NS = 'http://www.w3.org/2000/svg';
        const DAY_MS = 86400000;
        const CHART_PAGES = 20;  // at most 2,000 memories are read for the chart
        let chartData = null;

        function svg(tag, attributes, text) {
          const node = document.createElementNS(SVG_NS, tag);
          for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
          if (text !== undefined) node.textContent = text;
          return node;
        }

        function dayLabel(ms) { return new Date(ms).toISOString().slice(0, 10); }

        // Reads the creation times of the user's memories, page by page, then draws them.
        async function loadChart(user) {
          const times = [];
          let cursor = null;
          let pages = 0;
          do {
            const query = new URLSearchParams({ user_id: user, limit: '100' });
            if (cursor) query.set('cursor', cursor);
            const { data } = await api('GET', '/v1/memories?' + query);
            if (state.user !== user) return;
            for (const memory of data.results || []) {
              const time = Date.parse(memory.created_at);
              if (!isNaN(time)) times.push(time);
            }
            cursor = data.next_cursor || null;
            pages += 1;
          } while (cursor && pages < CHART_PAGES);
          times.sort((a, b) => a - b);
          chartData = { times, capped: cursor !== null };
          $('user-count').textContent = (chartData.capped ? 'more than ' : '') + plural(times.length, 'memory', 'memories');
          redrawChart();
        }

        // Buckets by UTC day over up to 60 days, else by week, else by 30 days: a few dozen bars at most.
        function redrawChart() {
          const box = $('chart');
          if (!chartData || $('user-view').hidden) return;
          box.replaceChildren();
          const { times, capped } = chartData;
          if (!times.length) { $('chart-caption').textContent = 'No memories yet.'; return; }
          const first = Math.floor(times[0] / DAY_MS) * DAY_MS;
          const last = times[times.length - 1];
          const spanDays = Math.floor((last - first) / DAY_MS) + 1;
          const unitDays = spanDays <= 60 ? 1 : spanDays <= 420 ? 7 : 30;
          const unitName = unitDays === 1 ? 'day' : unitDays === 7 ? 'week' : '30 days';
          const bucketCount = Math.ceil(spanDays / unitDays);
          const buckets = new Array(bucketCount).fill(0);
          for (const time of times) buckets[Math.min(bucketCount - 1, Math.floor((time - first) / (unitDays * DAY_MS)))] += 1;
          const most = Math.max(...buckets);

          const width = Math.max(200, Math.floor(box.clientWidth || 600));
          const height = 120;
          const pad = { left: 30, right: 6, top: 8, bottom: 20 };
          const plotWidth = width - pad.left - pad.right;
          const plotHeight = height - pad.top - pad.bottom;
          const step = plotWidth / bucketCount;
          const barWidth = Math.max(1, Math.min(48, step * 0.8));
          const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
            'aria-label': `Memories created per ${unitName}` });
          chart.append(svg('title', {}, `Memories created per ${unitName}`));
          const baseline = pad.top + plotHeight;
          chart.append(svg('line', { class: 'axis', x1: pad.left, y1: baseline, x2: width - pad.right, y2: baseline }));
          chart.append(svg('line', { class: 'axis', x1: pad.left, y1: pad.top, x2: pad.left, y2: baseline }));
          chart.append(svg('text', { x: pad.left - 4, y: pad.top + 9, 'text-anchor': 'end' }, String(most)));
          chart.append(svg('text', { x: pad.left - 4, y: baseline, 'text-anchor': 'end' }, '0'));
          buckets.forEach((count, index) => {
            if (!count) return;
            const barHeight = Math.max(1, (count / most) * plotHeight);
            const x = pad.left + index * step + (step - barWidth) / 2;
            const bar = svg('rect', { class: 'bar-rect', x: x.toFixed(1), y: (baseline - barHeight).toFixed(1),
              width: barWidth.toFixed(1), height: barHeight.toFixed(1) });
            bar.append(svg('title', {}, `${dayLabel(first + index * unitDays * DAY_MS)}: ${plural(count, 'memory', 'memories')}`));
            chart.append(bar);
          });
          chart.append(svg('text', { x: pad.left, y: height - 4, 'text-anchor': 'start' }, dayLabel(first)));
          if (bucketCount > 1) chart.append(svg('text', { x: width - pad.right, y: height - 4, 'text-anchor': 'end' }, dayLabel(last)));
          box.append(chart);
          $('chart-caption').textContent = `Memories created per ${unitName} (UTC)` +
            (capped ? `; the first ${times.length} only` : '');
        }
        """##
}
