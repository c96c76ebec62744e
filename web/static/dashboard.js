// Pipeline health (ops.*), catalogue figures and the most recommended items (marts), from
// /api/stats/*. Every value is written with textContent.
'use strict';

(() => {
  function table(rows, columns) {
    if (!rows || rows.length === 0) {
      const none = document.createElement('p');
      none.textContent = 'nothing yet';
      return none;
    }
    const cols = columns || Object.keys(rows[0]);
    const t = document.createElement('table');
    t.className = 'stats';
    const head = t.createTHead().insertRow();
    for (const c of cols) {
      const th = document.createElement('th');
      th.textContent = c;
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      for (const c of cols) {
        let v = r[c];
        if (typeof v === 'number' && !Number.isInteger(v)) v = v.toFixed(3);
        if (Array.isArray(v)) v = v.join(', ');
        tr.insertCell().textContent = v === null || v === undefined ? '' : String(v);
      }
    }
    return t;
  }

  function put(id, node) {
    document.getElementById(id).replaceChildren(node);
  }

  async function load(what) {
    const response = await fetch(`/api/stats/${what}`);
    if (!response.ok) throw new Error(`${what}: HTTP ${response.status}`);
    return response.json();
  }

  async function main() {
    try {
      const pipeline = await load('pipeline');
      put('runs', table(pipeline.runs, ['run_id', 'started_at', 'status', 'seconds', 'command', 'error']));
      put('steps', table(pipeline.steps, ['step', 'kind', 'status', 'rows_in', 'rows_out', 'elapsed_ms', 'error']));
      put('tests', table(pipeline.tests, ['status', 'severity', 'tests']));
      put('rejected', table(pipeline.rejected_rows, ['source', 'raw_table', 'rows']));
      const catalogue = await load('catalogue');
      put('counts', table([catalogue.counts], ['tracks', 'artists', 'genres', 'listens']));
      document.getElementById('genres').appendChild(table(catalogue.genres, ['genre', 'track_count', 'avg_popularity', 'avg_danceability', 'avg_energy', 'avg_valence', 'avg_tempo_bpm']));
      const recs = await load('recommendations');
      put('top', table(recs.top, ['item_kind', 'item_name', 'times', 'conversations', 'item_id']));
      document.getElementById('by-tool').appendChild(table(recs.by_tool, ['tool', 'items']));
    } catch (e) {
      const p = document.createElement('p');
      p.textContent = `Could not load the statistics: ${e.message}`;
      document.querySelector('main').prepend(p);
    }
  }

  main();
})();
