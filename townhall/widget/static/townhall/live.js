/* Townhall live updates, loaded by embed.js on demand (import()) once the thread is shown, where
 * the browser has EventSource. It follows the thread's event stream (GET /api/v1/live): new
 * comments wait behind a "N new comments" button and are inserted when the reader clicks it;
 * edits and deletions of comments on screen apply at once. Whatever changes, the comment the
 * reader is looking at stays where it is on the screen. The browser reconnects by itself and
 * resumes with Last-Event-ID; `reset` (events were missed) offers to reload the thread.
 * Translated by embed.js's catalog (S.live); a site may still set window.Townhall =
 * {strings: {newComments: {one, other}, newerThread}}. */

const STRINGS = {
  newComments: { one: 'Show 1 new comment', other: 'Show {n} new comments' },
  newerThread: 'New comments: reload the thread',
};

export function live(w) {
  const { state, ui, h, place, plural, renderComment, setCount, load, BASE, ACTIONS } = w;
  const S = Object.assign({}, STRINGS, w.S.live, (window.Townhall && window.Townhall.strings) || {});
  const waiting = new Map(); // id -> comment, in arrival order
  let stale = false; // the stream lost events: only a reload shows the thread as it is
  const bar = h('button', { type: 'button', class: 'th-btn th-live', 'data-action': 'live', hidden: true });
  ui.list.after(bar); // below the list, sticky at the window's bottom: showing it moves nothing above

  /* Runs `change`, then scrolls by however much it moved the first comment in view. */
  function steady(change) {
    const anchor = [...ui.root.querySelectorAll('.th-c')].find((el) => el.getBoundingClientRect().bottom > 0);
    const before = anchor && anchor.getBoundingClientRect().top;
    change();
    if (anchor && anchor.isConnected) window.scrollBy(0, anchor.getBoundingClientRect().top - before);
  }

  /* Comments that can be placed: a reply only under a parent on screen (others show with
   * "more replies"), nothing already there (the author's own comment is). */
  const placeable = (c) => !state.nodes.has(c.id) && (!c.parent || state.nodes.has(c.parent));

  function draw() {
    for (const [id, c] of waiting) if (!placeable(c)) waiting.delete(id);
    const n = waiting.size;
    bar.hidden = !n && !stale;
    bar.textContent = stale ? S.newerThread : plural(S.newComments, n);
  }

  // A click reaches it through the widget's one listener, like every other button.
  ACTIONS.live = () => {
    if (stale) {
      stale = false;
      waiting.clear();
      draw();
      load();
      return;
    }
    steady(() => {
      for (const c of waiting.values()) {
        if (!placeable(c)) continue;
        place(Object.assign({ replies: [] }, c), !c.parent && state.sort === 'newest');
        state.thread.count += 1;
      }
      waiting.clear();
      setCount();
    });
    draw();
  };

  setInterval(draw, 1000); // the reader's own comment may arrive here before its POST answer places it

  const source = new EventSource(BASE + '/api/v1/live?' + new URLSearchParams({ site: state.site, url: state.url }));
  const on = (type, fn) => source.addEventListener(type, (e) => { try { fn(JSON.parse(e.data)); } catch (_) { /* not ours */ } });
  on('published', (c) => { if (placeable(c)) { waiting.set(c.id, c); draw(); } });
  on('edited', (c) => {
    const node = state.nodes.get(c.id);
    if (waiting.has(c.id)) waiting.set(c.id, c);
    if (!node || node.local.editing) return;
    steady(() => { Object.assign(node.data, c, { replies: node.data.replies }); renderComment(node); });
  });
  const gone = (d) => {
    waiting.delete(d.id);
    draw();
    const node = state.nodes.get(d.id);
    if (!node) return;
    steady(() => {
      if (node.data.status === 'published') { state.thread.count -= 1; setCount(); }
      if (d.placeholder) { node.data.status = 'deleted'; renderComment(node); } else { node.el.remove(); state.nodes.delete(d.id); }
    });
  };
  on('deleted', gone);
  on('removed', gone);
  on('reset', () => { stale = true; draw(); });
  return source;
}
