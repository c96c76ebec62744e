// The chat page: one WebSocket to /ws carrying the agent's event stream as JSON frames.
// Everything that comes from the data (track and artist names, tool results) is put on the
// page with textContent; only the answer's Markdown goes through marked + DOMPurify, after
// every "<" in it has been escaped, so a name can never become markup.
'use strict';

(() => {
  const FEATURES = ['danceability', 'energy', 'valence', 'acousticness', 'instrumentalness',
    'speechiness', 'liveness'];
  const MAX_CARDS = 12;
  const MAX_RESULT_CHARS = 6000;
  const RECONNECT_MAX_MS = 10000;

  const $ = (id) => document.getElementById(id);
  const state = {
    ws: null,
    conversationId: null,
    turn: null,       // the assistant message being written
    retries: 0,
    reconnectTimer: null,
  };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }

  function renderMarkdown(target, text) {
    const escaped = String(text).replace(/</g, '&lt;');
    if (window.marked && window.DOMPurify) {
      const html = window.marked.parse(escaped, { async: false, gfm: true, breaks: false });
      target.innerHTML = window.DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
    } else {
      target.textContent = String(text);
    }
  }

  function scrollDown() {
    const box = $('messages');
    box.scrollTop = box.scrollHeight;
  }

  // ---- cards ---------------------------------------------------------------------------

  function featureChart(features) {
    const rowHeight = 13;
    const labelWidth = 92;
    const barWidth = 110;
    const chart = svg('svg', {
      width: labelWidth + barWidth + 34, height: FEATURES.length * rowHeight + 2,
      role: 'img', class: 'feature-chart',
    });
    const title = svg('title');
    title.textContent = 'audio features';
    chart.appendChild(title);
    FEATURES.forEach((name, i) => {
      const value = Number(features[name]);
      if (!Number.isFinite(value)) return;
      const y = i * rowHeight;
      const label = svg('text', { x: 0, y: y + 10, 'font-size': 10, fill: '#4b5563' });
      label.textContent = name;
      chart.appendChild(label);
      chart.appendChild(svg('rect', { x: labelWidth, y: y + 2, width: barWidth, height: 9, fill: '#e5e7eb' }));
      chart.appendChild(svg('rect', {
        x: labelWidth, y: y + 2, width: Math.max(0, Math.min(1, value)) * barWidth, height: 9,
        fill: '#3b82f6', class: 'bar', 'data-feature': name,
      }));
      const number = svg('text', { x: labelWidth + barWidth + 4, y: y + 10, 'font-size': 10, fill: '#4b5563' });
      number.textContent = value.toFixed(2);
      chart.appendChild(number);
    });
    return chart;
  }

  function names(list) {
    if (!Array.isArray(list)) return list ? String(list) : '';
    return list.map((a) => (a && typeof a === 'object' ? a.name || a.artist_name || '' : String(a)))
      .filter(Boolean).join(', ');
  }

  function trackCard(track) {
    const card = el('div', 'card track-card');
    card.appendChild(el('span', 'title track-name', track.name || track.track_name || track.id));
    card.appendChild(el('span', 'sub', [names(track.artists), track.album].filter(Boolean).join(' — ')));
    const tags = [names(track.genres)];
    if (track.popularity !== undefined && track.popularity !== null) tags.push(`popularity ${track.popularity}`);
    card.appendChild(el('span', 'tags', tags.filter(Boolean).join(' · ')));
    if (track.reason) card.appendChild(el('span', 'tags', track.reason));
    if (track.audio_features) card.appendChild(featureChart(track.audio_features));
    return card;
  }

  function artistCard(artist) {
    const card = el('div', 'card artist artist-card');
    card.appendChild(el('span', 'title', artist.name || artist.artist_name || artist.artist_id));
    card.appendChild(el('span', 'sub', names(artist.genres)));
    const facts = [];
    if (artist.popularity !== undefined && artist.popularity !== null) facts.push(`popularity ${artist.popularity}`);
    if (artist.lastfm && artist.lastfm.listeners) facts.push(`${Number(artist.lastfm.listeners).toLocaleString()} Last.fm listeners`);
    if (artist.listeners) facts.push(`${Number(artist.listeners).toLocaleString()} listeners`);
    if (artist.track_count) facts.push(`${artist.track_count} tracks`);
    card.appendChild(el('span', 'tags', facts.join(' · ')));
    if (artist.features) card.appendChild(featureChart(artist.features));
    return card;
  }

  // Tracks (objects with audio features) and artists anywhere in a tool result.
  function collect(result) {
    const tracks = [];
    const artists = [];
    if (result && typeof result === 'object' && !Array.isArray(result) && result.artist_id && result.name) {
      artists.push(result);
    }
    const walk = (value, key) => {
      if (Array.isArray(value)) {
        for (const item of value) {
          if (item && typeof item === 'object' && key === 'artists' && item.name && !item.audio_features) {
            artists.push(item);
          } else {
            walk(item, key);
          }
        }
      } else if (value && typeof value === 'object') {
        if (value.audio_features && (value.name || value.track_name)) {
          tracks.push(value);
          return;
        }
        if (value.kind === 'track' && value.name) {
          tracks.push(value);  // a catalogue search hit: no features, so no chart
          return;
        }
        if (value.kind === 'artist' && value.name) {
          artists.push(value);
          return;
        }
        for (const [k, v] of Object.entries(value)) walk(v, k);
      }
    };
    walk(result, '');
    return { tracks: tracks.slice(0, MAX_CARDS), artists: artists.slice(0, MAX_CARDS) };
  }

  function resultCards(result) {
    const { tracks, artists } = collect(result);
    const wrap = el('div', 'results');
    if (artists.length) {
      const grid = el('div', 'cards');
      artists.forEach((a) => grid.appendChild(artistCard(a)));
      wrap.appendChild(grid);
    }
    if (tracks.length) {
      const grid = el('div', 'cards');
      tracks.forEach((t) => grid.appendChild(trackCard(t)));
      wrap.appendChild(grid);
    }
    return wrap;
  }

  function pretty(value) {
    let text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    if (text && text.length > MAX_RESULT_CHARS) text = `${text.slice(0, MAX_RESULT_CHARS)}\n…`;
    return text;
  }

  // ---- messages --------------------------------------------------------------------------

  function addUser(text) {
    $('messages').appendChild(el('div', 'msg user', text));
    scrollDown();
  }

  function newAssistant() {
    const box = el('div', 'msg assistant');
    const tools = el('div', 'tools');
    const answer = el('div', 'answer');
    box.append(tools, answer);
    $('messages').appendChild(box);
    return { box, tools, answer, text: '', cards: new Map(), frame: 0 };
  }

  function toolCard(turn, id, name, args) {
    const card = el('details', 'tool-card');
    card.dataset.tool = name;
    const summary = el('summary');
    summary.appendChild(el('strong', null, name));
    summary.appendChild(el('span', 'status', 'running…'));
    card.appendChild(summary);
    card.appendChild(el('pre', 'arguments', pretty(args)));
    turn.tools.appendChild(card);
    turn.cards.set(id, card);
    return card;
  }

  function toolResult(turn, event) {
    const card = turn.cards.get(event.id) || toolCard(turn, event.id, event.name || 'tool', {});
    card.dataset.ok = String(Boolean(event.ok));
    const status = card.querySelector('.status');
    const ms = Number.isFinite(event.ms) ? ` · ${Math.round(event.ms)} ms` : '';
    status.textContent = event.ok ? `ok${ms}` : `error: ${(event.error && event.error.code) || 'failed'}${ms}`;
    card.appendChild(el('pre', 'result', pretty(event.ok ? event.result : event.error)));
    if (event.ok) turn.tools.appendChild(resultCards(event.result));
  }

  function setAnswer(turn, text, done) {
    turn.text = text;
    if (turn.frame) return;
    turn.frame = requestAnimationFrame(() => {
      turn.frame = 0;
      renderMarkdown(turn.answer, turn.text);
      turn.answer.classList.toggle('typing', !turn.done);
      scrollDown();
    });
    if (done) turn.done = true;
  }

  function showError(message, code) {
    const target = state.turn ? state.turn.box : $('messages');
    const note = el('div', 'msg error', `${message}${code ? ` (${code})` : ''}`);
    note.dataset.code = code || '';
    target.appendChild(note);
    scrollDown();
  }

  function busy(on) {
    $('send').disabled = on;
    $('cancel').hidden = !on;
  }

  // ---- the socket ------------------------------------------------------------------------

  function setConnection(stateName, label) {
    const badge = $('connection');
    badge.dataset.state = stateName;
    badge.textContent = label;
  }

  function onEvent(event) {
    switch (event.type) {
      case 'hello':
        $('offline-banner').hidden = !event.offline;
        break;
      case 'turn_start':
        state.conversationId = event.conversation_id;
        $('offline-banner').hidden = !event.offline;
        markCurrent();
        break;
      case 'token':
        if (state.turn) setAnswer(state.turn, state.turn.text + event.text);
        break;
      case 'tool_call':
        if (state.turn) toolCard(state.turn, event.id, event.name, event.arguments);
        break;
      case 'tool_result':
        if (state.turn) toolResult(state.turn, event);
        break;
      case 'message':
        if (state.turn) setAnswer(state.turn, event.text, true);
        break;
      case 'error':
        showError(event.message, event.code);
        if (event.code === 'unknown_conversation') endTurn();
        break;
      case 'turn_end':
        endTurn();
        loadConversations();
        break;
      default:
        break;
    }
  }

  function endTurn() {
    if (state.turn) {
      state.turn.done = true;
      state.turn.answer.classList.remove('typing');
    }
    state.turn = null;
    busy(false);
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws`);
    state.ws = ws;
    setConnection('connecting', 'connecting…');
    ws.onopen = () => {
      state.retries = 0;
      setConnection('open', 'connected');
      $('disconnected-banner').hidden = true;
    };
    ws.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      onEvent(event);
    };
    ws.onclose = (close) => {
      if (state.ws !== ws) return;
      setConnection('closed', 'disconnected');
      const banner = $('disconnected-banner');
      banner.textContent = close.reason
        ? `Connection lost (${close.reason}). Reconnecting…`
        : 'Connection lost. Reconnecting…';
      banner.hidden = false;
      if (state.turn) {
        showError('The connection dropped during this answer; ask again once reconnected.', 'disconnected');
        endTurn();
      }
      const delay = Math.min(RECONNECT_MAX_MS, 500 * 2 ** state.retries);
      state.retries += 1;
      state.reconnectTimer = setTimeout(connect, delay);
    };
  }

  function send(text) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      showError('Not connected yet; try again in a moment.', 'disconnected');
      return false;
    }
    const message = { type: 'user_message', text };
    if (state.conversationId) message.conversation_id = state.conversationId;
    state.ws.send(JSON.stringify(message));
    return true;
  }

  // ---- conversations ---------------------------------------------------------------------

  function markCurrent() {
    for (const item of $('conversations').children) {
      item.classList.toggle('current', item.dataset.id === state.conversationId);
    }
  }

  async function loadConversations() {
    try {
      const response = await fetch('/api/conversations?limit=50');
      if (!response.ok) return;
      const { conversations } = await response.json();
      const list = $('conversations');
      list.replaceChildren();
      for (const c of conversations) {
        const item = el('li');
        item.dataset.id = c.id;
        const button = el('button', null, c.title || c.id);
        button.type = 'button';
        button.appendChild(el('span', 'meta', `${c.turns} turn${c.turns === 1 ? '' : 's'} · ${(c.updated_at || '').slice(0, 16).replace('T', ' ')}`));
        button.addEventListener('click', () => resume(c.id));
        item.appendChild(button);
        list.appendChild(item);
      }
      markCurrent();
    } catch (e) {
      // The list is a convenience; the chat works without it.
    }
  }

  async function resume(id) {
    const response = await fetch(`/api/conversations/${encodeURIComponent(id)}`);
    if (!response.ok) {
      showError('That conversation could not be loaded.', `http_${response.status}`);
      return;
    }
    const conversation = await response.json();
    endTurn();
    $('messages').replaceChildren();
    state.conversationId = conversation.id;
    let turn = null;
    for (const m of conversation.messages) {
      if (m.role === 'user') {
        addUser(m.content);
        turn = newAssistant();
      } else if (m.role === 'assistant') {
        if (!turn) turn = newAssistant();
        for (const call of m.tool_calls || []) toolCard(turn, call.id, call.name, call.arguments);
        if (m.content) {
          turn.text = m.content;
          renderMarkdown(turn.answer, m.content);
        }
      } else if (m.role === 'tool' && turn) {
        let result = m.content;
        let ok = true;
        try {
          result = JSON.parse(m.content);
          ok = !(result && result.error);
        } catch (e) {
          // A result cut for the model is shown as text.
        }
        toolResult(turn, { id: m.tool_call_id, name: m.name, ok, result, error: result && result.error });
      }
    }
    markCurrent();
    scrollDown();
  }

  // ---- wiring ----------------------------------------------------------------------------

  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('input');
    const text = input.value.trim();
    if (!text || state.turn) return;
    if (!send(text)) return;
    addUser(text);
    state.turn = newAssistant();
    state.turn.answer.classList.add('typing');
    input.value = '';
    busy(true);
  });
  $('input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('cancel').addEventListener('click', () => {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ type: 'cancel' }));
  });
  $('new-conversation').addEventListener('click', () => {
    endTurn();
    state.conversationId = null;
    $('messages').replaceChildren();
    markCurrent();
  });
  $('refresh-conversations').addEventListener('click', loadConversations);

  connect();
  loadConversations();
})();
