// The dashboard's one script, served at /assets/live.js: follows /api/stream from the event id the
// page was drawn at and, when events arrive, fetches the page again and swaps in each
// `[data-live]` region (not one holding the focus or an edited field, so typing is never lost).
export const LIVE_JS = `
(function () {
  'use strict';
  var body = document.body;
  var state = document.getElementById('live-state');
  var after = body.getAttribute('data-after') || '0';
  var run = body.getAttribute('data-run');
  var pending = false, busy = false;
  function edited(region) {
    if (region.contains(document.activeElement) && document.activeElement !== document.body) return true;
    var fields = region.querySelectorAll('input:not([type=hidden]), textarea');
    for (var i = 0; i < fields.length; i++) if (fields[i].value !== fields[i].defaultValue) return true;
    return false;
  }
  function refresh() {
    if (busy) { pending = true; return; }
    busy = true;
    fetch(location.href, { headers: { 'X-Lifeline-Refresh': '1' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error('HTTP ' + r.status)); })
      .then(function (text) {
        var next = new DOMParser().parseFromString(text, 'text/html');
        var regions = document.querySelectorAll('[data-live]');
        for (var i = 0; i < regions.length; i++) {
          var fresh = next.getElementById(regions[i].id);
          if (fresh && !edited(regions[i])) regions[i].replaceWith(document.importNode(fresh, true));
        }
        body.setAttribute('data-refreshed', String(Date.now()));
      })
      .catch(function () { if (state) state.textContent = 'refresh failed'; })
      .then(function () { busy = false; if (pending) { pending = false; refresh(); } });
  }
  if (!window.EventSource) return;
  var url = '/api/stream?after=' + encodeURIComponent(after) + (run ? '&run=' + encodeURIComponent(run) : '');
  var source = new EventSource(url);
  var timer = null;
  source.addEventListener('change', function (e) {
    if (e.lastEventId) after = e.lastEventId;
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  source.addEventListener('ready', function () { body.setAttribute('data-live-ready', ''); if (state) { state.textContent = 'live'; state.className = 'live'; } });
  source.onerror = function () { if (state) { state.textContent = 'reconnecting…'; state.className = 'live off'; } };
})();
`;
