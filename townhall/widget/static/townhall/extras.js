/* Townhall widget extras, loaded by embed.js only when a thread needs them: quote marks, the
 * conversation view, editors' picks, and sending the page's article text the first time.
 * Plain JavaScript, no build step, no global: it sets `x` on its own <script> element, a function
 * that embed.js calls once this script has loaded, with {state, api, announce, loadReplies, host};
 * the returned object's page(data) is called with every page of the thread embed.js loads. Its own small
 * helpers (h, t, plural) repeat embed.js's, so that embed.js stays small.
 * Translations come from embed.js's catalog (its S.extras, see `townhall catalogs`); a site may
 * still set the keys below in window.Townhall.strings (the same table embed.js reads).
 *
 *   STRINGS        every text a reader sees here
 *   ARTICLE        the page's article text, sent once when the server has none
 *   QUOTES         the marks under a comment, and showing a passage in the article
 *   CONVERSATIONS  a run of replies between two or three people, as one line or a dialogue
 *   PICKS          editors' picks pinned above the thread, and the Picks tab
 */
(() => {
  'use strict';

  /* ==== STRINGS =================================================================== */

  const STRINGS = {
    quoteCheck: 'Quote check',
    quoteFound: 'found in the article',
    quoteMissing: 'not in this article',
    quoteShow: 'Show it in the article',
    quoting: 'quoting {name} above',
    quoteNotOnPage: 'That passage is not on this page any more.',
    quoteShown: 'The passage is highlighted in the article.',
    convLine: { one: '{names}, 1 reply over {span}', other: '{names}, {n} replies over {span}' },
    convAnd: '{a} and {b}',
    convOpen: 'Conversation opened.',
    convHeat: { 0: 'Calm', 1: 'Heated', 2: 'Very heated' },
    span: {
      minutes: { one: '1 minute', other: '{n} minutes' },
      hours: { one: '1 hour', other: '{n} hours' },
      days: { one: '1 day', other: '{n} days' },
    },
    picks: 'Picks',
    picksTitle: 'Editors\' picks',
    allComments: 'All comments',
    inThread: 'Show in the thread',
    tabs: 'Show',
    anonymous: 'Anonymous',
  };

  const HOUR = 3600 * 1000;
  const ARTICLE_MAX = 100000; // characters sent at most (the server's own limit may be lower)
  const HEAT_LEVELS = [0.15, 0.4]; // share of hostile replies at which the mark turns warmer
  const OPEN_PAGES = 20; // pages of replies opening a conversation may load to show all of it
  const HIGHLIGHT = 'townhall-quote';

  const doc = document;
  const script = doc.currentScript;
  const BASE = script ? script.src.replace(/\/static\/townhall\/extras\.js(\?.*)?$/, '') : location.origin;
  let PLURAL; // the widget's language, set below
  const t = (s, vars) => String(s).replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? vars[k] : ''));
  const plural = (forms, n, vars) => t(forms[PLURAL.select(n)] || forms.other, Object.assign({ n }, vars));

  if (!script) return;
  script.x = (ctx) => {
    const { state, api, host, announce, h } = ctx;
    PLURAL = new Intl.PluralRules(host.lang || 'en');
    const S = Object.assign({}, STRINGS, ctx.S.extras, (window.Townhall && window.Townhall.strings) || {});
    const ui = state.ui;
    const convs = new Map(); // id -> summary from the thread page, with .open and .line
    let sentArticle = false;
    let picksBox = null;

    if (!doc.querySelector('link[data-townhall-extras]')) {
      doc.head.append(h('link', { rel: 'stylesheet', href: BASE + '/static/townhall/extras.css',
        'data-townhall-extras': '' }));
    }
    const nodeOf = (el) => state.owner.get(el && el.closest('.th-c'));
    const listSep = (names) => (names.length < 2 ? names.join('')
      : t(S.convAnd, { a: names.slice(0, -1).join(', '), b: names[names.length - 1] }));

    /* ==== ARTICLE =================================================================== */

    /* The first load of a page whose article the server does not know yet sends the text of the
     * element named by data-article on the widget's div, else of the page's <article>. Later loads
     * cannot change it (the server keeps the first text; only the CMS or a moderator replace it). */
    function articleEl() {
      const sel = host.dataset.article;
      return sel ? doc.querySelector(sel) : doc.querySelector('article');
    }
    function sendArticle() {
      const el = articleEl();
      if (sentArticle || !el) return;
      sentArticle = true;
      // A page may put the comments inside its <article>: they are not the article's text.
      const inside = el.contains(host) && !host.hidden;
      if (inside) host.hidden = true;
      const text = (el.innerText || '').trim().slice(0, ARTICLE_MAX);
      if (inside) host.hidden = false;
      const body = { site: state.site, url: state.url, title: state.title, text };
      if (text) api('/articles', { method: 'POST', body });
    }

    /* ==== QUOTES ==================================================================== */

    function marksEl(quotes) {
      return h('ul', { class: 'th-q', 'aria-label': S.quoteCheck }, quotes.map((m) => {
        const said = h('q', { class: 'th-q-text', text: m.quote });
        if (m.kind === 'article') {
          return h('li', { class: 'th-q-found' }, said, ' ', h('span', { class: 'th-q-verdict', text: S.quoteFound }),
            ' ', h('button', { type: 'button', class: 'th-link', 'data-action': 'passage', 'data-passage': m.passage,
              text: S.quoteShow }));
        }
        if (m.kind === 'comment') {
          const [before, after] = S.quoting.split('{name}');
          return h('li', { class: 'th-q-comment' }, said, ' ', h('span', { class: 'th-q-verdict' }, before,
            h('a', { href: '#comment-' + m.comment, text: m.author }), after || ''));
        }
        return h('li', { class: 'th-q-missing' }, said, ' ',
          h('span', { class: 'th-q-verdict', text: S.quoteMissing }));
      }));
    }

    /* The passage, found in the page's article however its spaces differ, scrolled to and
     * highlighted (the CSS Custom Highlight API where there is one, else a <mark>). */
    function showPassage(passage) {
      const root = articleEl();
      const range = root && findText(root, passage);
      if (!range) { announce(S.quoteNotOnPage); return; }
      if (window.CSS && CSS.highlights && window.Highlight) CSS.highlights.set(HIGHLIGHT, new Highlight(range));
      else {
        for (const old of doc.querySelectorAll('mark.th-q-mark')) old.replaceWith(...old.childNodes);
        try { range.surroundContents(h('mark', { class: 'th-q-mark' })); } catch (_) { /* spans elements */ }
      }
      const box = range.startContainer.parentElement;
      box.scrollIntoView({ block: 'center' });
      if (!box.hasAttribute('tabindex')) box.setAttribute('tabindex', '-1');
      box.focus({ preventScroll: true });
      announce(S.quoteShown);
    }
    function findText(root, passage) {
      const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      let flat = '';
      const at = []; // for each character of `flat`: [text node, offset]
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const s = n.data;
        for (let i = 0; i < s.length; i++) {
          const space = /\s/.test(s[i]);
          if (space && (flat === '' || flat.endsWith(' '))) continue;
          flat += space ? ' ' : s[i];
          at.push([n, i]);
        }
      }
      const want = passage.replace(/\s+/g, ' ').trim();
      const i = flat.indexOf(want);
      if (i < 0 || !want) return null;
      const range = doc.createRange();
      const [sn, so] = at[i];
      const [en, eo] = at[i + want.length - 1];
      range.setStart(sn, so);
      range.setEnd(en, eo + 1);
      return range;
    }

    /* ==== CONVERSATIONS ============================================================= */

    function spanText(c) {
      const ms = new Date(c.ended) - new Date(c.started);
      const days = Math.round(ms / (24 * HOUR));
      const hours = Math.round(ms / HOUR);
      if (days >= 1) return plural(S.span.days, days);
      return hours >= 1 ? plural(S.span.hours, hours) : plural(S.span.minutes, Math.max(1, Math.round(ms / 60000)));
    }
    function heatLevel(heat) {
      return heat >= HEAT_LEVELS[1] ? 2 : heat >= HEAT_LEVELS[0] ? 1 : 0;
    }

    /* One line where the conversation starts; its replies stay in the thread's DOM (permalinks,
     * paging) but are hidden until it is opened, then shown two columns, one per author. */
    function lineFor(c, firstEl) {
      const level = heatLevel(c.heat);
      const btn = h('button', { type: 'button', class: 'th-cv-btn', 'data-action': 'conversation', 'data-cv': c.id,
        'aria-expanded': 'false',
        text: plural(S.convLine, c.count, { names: listSep(c.authors.map((a) => a.name)), span: spanText(c) }) });
      const line = h('div', { class: 'th-cv', 'data-cv': c.id }, btn,
        h('span', { class: 'th-heat th-heat-' + level, role: 'img', 'aria-label': S.convHeat[level],
          title: S.convHeat[level] }));
      firstEl.before(line);
      c.line = line;
      return line;
    }
    function sideOf(c, key) {
      const i = c.authors.findIndex((a) => a.key === key);
      return i === 0 ? 'a' : i === 1 ? 'b' : 'c';
    }
    function members(c) {
      return [...ui.list.querySelectorAll('.th-cv-m[data-cv="' + c.id + '"]')];
    }
    function drawConversation(c) {
      c.line.querySelector('button').setAttribute('aria-expanded', String(c.open));
      c.line.classList.toggle('th-cv-is-open', c.open);
      for (const el of members(c)) {
        el.hidden = !c.open;
        el.classList.toggle('th-cv-on', c.open);
      }
    }
    async function openConversation(c, open) {
      c.open = open;
      drawConversation(c);
      if (!open) return;
      announce(S.convOpen);
      // Load the rest of it: the pages of replies of the nearest comment above that has more.
      for (let i = 0; i < OPEN_PAGES && members(c).length < c.count; i++) {
        let n = nodeOf(c.line.parentNode);
        while (n && !n.cursor) n = nodeOf(n.el.parentNode);
        if (!n || !n.more || !(await ctx.loadReplies(n))) break;
      }
    }

    function decorate() {
      for (const el of ui.list.querySelectorAll('.th-c')) {
        const node = state.owner.get(el);
        if (!node) continue;
        const d = node.data;
        // Quote marks, drawn again whenever embed.js redraws the comment.
        if (d.quotes && d.quotes.length && d.status === 'published' && node.body && node.body.isConnected &&
          !node.main.querySelector('.th-q')) node.body.after(marksEl(d.quotes));
        const c = d.conversation && convs.get(d.conversation);
        if (c && !el.classList.contains('th-cv-m')) {
          el.classList.add('th-cv-m', 'th-cv-' + sideOf(c, d.author && d.author.key));
          el.dataset.cv = c.id;
          if (!c.line || !c.line.isConnected) lineFor(c, el);
          el.hidden = !c.open;
          el.classList.toggle('th-cv-on', c.open);
        }
      }
      reveal();
    }

    /* A permalink (#comment-ID) to a reply inside a collapsed conversation opens it. */
    function reveal() {
      const el = location.hash.startsWith('#comment-') && doc.getElementById(location.hash.slice(1));
      const c = el && el.hidden && el.dataset.cv && convs.get(+el.dataset.cv);
      if (!c || !ui.list.contains(el)) return;
      openConversation(c, true);
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    }

    /* ==== PICKS ===================================================================== */

    function drawPicks(picks) {
      if (picksBox) picksBox.remove();
      const tabs = ui.root.querySelector('.th-tabs');
      if (tabs) tabs.remove();
      if (!picks.length) { picksBox = null; return; }
      const heading = h('h3', { class: 'th-picks-title', id: 'th-picks-h', text: S.picksTitle });
      picksBox = h('section', { class: 'th-picks', 'aria-labelledby': heading.id }, heading,
        h('ol', { class: 'th-picks-list' }, picks.map((p) => {
          const body = h('div', { class: 'th-pick-body' });
          body.innerHTML = p.html; // server-sanitised HTML, as in embed.js
          return h('li', { class: 'th-pick', 'data-id': p.id },
            h('b', { class: 'th-name', text: (p.author && p.author.name) || S.anonymous }), body,
            p.quotes && p.quotes.length ? marksEl(p.quotes) : null,
            h('a', { class: 'th-link', href: '#comment-' + p.id, 'data-action': 'show-pick', text: S.inThread }));
        })));
      const tab = (which, text, on) => h('button', { type: 'button', role: 'tab', class: 'th-tab',
        'data-action': 'tab', 'data-tab': which, 'aria-selected': String(on), text });
      const bar = h('div', { class: 'th-tabs', role: 'tablist', 'aria-label': S.tabs },
        tab('all', S.allComments, true), tab('picks', S.picks + ' (' + picks.length + ')', false));
      ui.toolbar.before(bar, picksBox);
    }
    function showTab(which) {
      for (const b of ui.root.querySelectorAll('.th-tab')) {
        b.setAttribute('aria-selected', String(b.dataset.tab === which));
      }
      for (const el of [ui.toolbar, ui.list, ui.compose]) el.hidden = which === 'picks';
      ui.more.hidden = which === 'picks' || !state.cursor;
    }

    /* ==== WIRING ==================================================================== */

    // Its buttons go through embed.js's one delegated click listener, as embed.js's own do.
    Object.assign(ctx.ACTIONS, {
      passage: (node, el) => showPassage(el.dataset.passage),
      conversation: (node, el) => {
        const c = convs.get(+el.dataset.cv);
        if (c) openConversation(c, !c.open);
      },
      tab: (node, el) => showTab(el.dataset.tab),
      'show-pick': () => showTab('all'),
    });
    new MutationObserver(decorate).observe(ui.list, { childList: true, subtree: true });
    window.addEventListener('hashchange', reveal);

    return {
      page(data) {
        const open = !!data.thread.conversations_open;
        for (const c of data.conversations || []) {
          if (!convs.has(c.id)) convs.set(c.id, Object.assign(c, { open, line: null }));
        }
        if (!data.thread.article) sendArticle();
        if (data.picks && (data.picks.length || picksBox)) drawPicks(data.picks);
        decorate();
      },
    };
  };
})();
