/* Townhall comment widget. Plain JavaScript, no framework, no build step.
 * Embed: <div id="townhall" data-site="SLUG"></div>
 *        <script defer src="https://SERVER/static/townhall/embed.js"></script>
 * Optional on the div: data-url, data-title. Every request goes to SERVER (the origin of this
 * script) and nowhere else. Untrusted text is only ever set with textContent; the one HTML
 * inserted is the comment's `html`, which the server renders from Markdown and sanitises.
 * To translate, set window.Townhall = {strings: {...}} before this script runs. */
(() => {
  'use strict';

  const STRINGS = {
    comments: { zero: 'No comments yet', one: '1 comment', other: '{n} comments' },
    region: 'Comments',
    leaveReply: 'Leave a reply',
    replyTo: 'Reply to {name}',
    emailNote: 'Your email address will not be published.',
    requiredNote: 'Required fields are marked *',
    text: 'Comment',
    textHint: 'Markdown: **bold**, *italic*, `code`, [link](https://…), > quote.',
    name: 'Name',
    email: 'Email',
    website: 'Website',
    remember: 'Remember me in this browser',
    notify: 'Email me replies',
    post: 'Post comment',
    postReply: 'Post reply',
    posting: 'Posting…',
    cancel: 'Cancel',
    preview: 'Preview',
    write: 'Write',
    previewEmpty: 'Nothing to preview.',
    previewLabel: 'Preview of your comment',
    reply: 'Reply',
    share: 'Share',
    copyLink: 'Copy link',
    copied: 'Link copied.',
    emailLink: 'Email',
    shareSubject: 'A comment on {title}',
    report: 'Report',
    reportReason: 'Reason',
    reportNote: 'Note (optional)',
    reportSend: 'Send report',
    reasons: { spam: 'Spam', abuse: 'Abuse or harassment', off_topic: 'Off topic', personal_info: 'Personal information', other: 'Something else' },
    reported: 'Thank you. A moderator will look at this comment.',
    edit: 'Edit',
    save: 'Save',
    delete: 'Delete',
    confirmDelete: 'Delete this comment?',
    yesDelete: 'Yes, delete',
    deleted: 'This comment was deleted.',
    deletedDone: 'Your comment was deleted.',
    editLeft: 'You can edit or delete this for {t}',
    edited: 'edited',
    editedAt: 'Edited {time}',
    saved: 'Your changes were saved.',
    upvote: 'Vote up',
    downvote: 'Vote down',
    score: 'Score {n}',
    voted: 'Vote counted. Score is now {n}.',
    hide: 'Hide replies',
    show: { one: 'Show 1 reply', other: 'Show {n} replies' },
    moreReplies: 'More replies',
    loadMore: 'Load more comments',
    loading: 'Loading comments…',
    sortBy: 'Sort by',
    sorts: { oldest: 'Oldest first', newest: 'Newest first', top: 'Best first' },
    inReplyTo: 'in reply to',
    anonymous: 'Anonymous',
    badges: { staff: 'Staff', featured: 'Featured' },
    justNow: 'just now',
    closed: 'Comments are closed on this page.',
    premoderated: 'Comments on this site are reviewed by a moderator before they appear.',
    pending: 'Your comment is awaiting moderation. Only you can see it until it is approved.',
    pendingMark: 'Awaiting moderation',
    posted: 'Your comment was published.',
    rules: 'Rules',
    notFound: 'That comment is not available.',
    focused: 'Showing a single comment.',
    showThread: 'Show it in the whole thread',
    failed: 'Something went wrong ({code}). Please try again.',
    network: 'Could not reach the comment server. Please try again.',
    tooFast: 'Too many requests. Please wait {s} seconds and try again.',
    errors: 'Please correct the marked fields.',
    postAsIs: 'Post it as is',
    saveAsIs: 'Save it as is',
    rejected: 'Not accepted by the moderators',
  };

  const doc = document;
  const S = Object.assign({}, STRINGS, (window.Townhall && window.Townhall.strings) || {});
  const script = doc.currentScript;
  const BASE = script ? script.src.replace(/\/static\/townhall\/embed\.js(\?.*)?$/, '') : location.origin;
  const LANG = doc.documentElement.lang || navigator.language || 'en';
  const RTF = new Intl.RelativeTimeFormat(LANG, { numeric: 'auto' });
  const DTF = new Intl.DateTimeFormat(LANG, { dateStyle: 'long', timeStyle: 'short' });
  const PLURAL = new Intl.PluralRules(LANG);
  const SORTS = ['oldest', 'newest', 'top'];

  const t = (s, vars) => String(s).replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? vars[k] : ''));
  const plural = (forms, n) => t((n === 0 && forms.zero) || forms[PLURAL.select(n)] || forms.other, { n });
  let uidN = 0;
  const uid = (p) => 'th-' + p + '-' + ++uidN;

  /* h('tag', {class, text, onclick, attr...}, ...children): children are nodes or plain text. */
  function h(tag, attrs, ...kids) {
    const e = doc.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of kids.flat()) if (c != null && c !== false) e.append(c);
    return e;
  }

  const store = {
    get(k) { try { return JSON.parse(localStorage.getItem('townhall:' + k)); } catch (_) { return null; } },
    set(k, v) { try { localStorage.setItem('townhall:' + k, JSON.stringify(v)); } catch (_) { /* private mode */ } },
    del(k) { try { localStorage.removeItem('townhall:' + k); } catch (_) { /* private mode */ } },
  };

  async function api(path, opts = {}) {
    const headers = Object.assign({}, opts.headers);
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(BASE + '/api/v1' + path, {
        method: opts.method || 'GET', headers, credentials: 'omit',
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (_) {
      return { status: 0, data: { code: 'network', message: S.network, errors: [] } };
    }
    let data = {};
    try { data = await res.json(); } catch (_) { /* empty body */ }
    return { status: res.status, data: data || {}, retry: res.headers.get('Retry-After') };
  }

  function errorText(r) {
    if (r.status === 0) return S.network;
    if (r.status === 429) return t(S.tooFast, { s: r.retry || 60 });
    return (r.data && r.data.message) || t(S.failed, { code: r.status });
  }

  async function readerToken() {
    let tok = store.get('token');
    if (!tok) {
      const r = await api('/tokens', { method: 'POST' });
      if (r.status === 201) store.set('token', (tok = r.data.token));
    }
    return tok;
  }
  const tokenHeader = () => { const tok = store.get('token'); return tok ? { 'X-Townhall-Token': tok } : {}; };

  /* -------------------------------------------------------------- small renderers */

  function relTime(date) {
    const s = (date - Date.now()) / 1000;
    for (const [u, n] of [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]]) {
      if (Math.abs(s) >= n) return RTF.format(Math.round(s / n), u);
    }
    return S.justNow;
  }
  function timeEl(iso, cls) {
    const d = new Date(iso);
    return h('time', { class: cls, datetime: iso, title: DTF.format(d), text: relTime(d) });
  }

  /* An identicon drawn from the author key: a 5x5 mirrored grid in a hue taken from the key. */
  function avatar(key) {
    const NS = 'http://www.w3.org/2000/svg';
    const k = ((key || '') + '0'.repeat(32)).replace(/[^0-9a-f]/gi, '0');
    const svg = doc.createElementNS(NS, 'svg');
    const rect = (x, y, w, cls, fill) => {
      const r = doc.createElementNS(NS, 'rect');
      for (const [a, v] of [['x', x], ['y', y], ['width', w], ['height', w], ['class', cls]]) r.setAttribute(a, v);
      if (fill) r.setAttribute('fill', fill);
      svg.append(r);
    };
    svg.setAttribute('viewBox', '-0.5 -0.5 6 6');
    svg.setAttribute('class', 'th-av');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    rect(-0.5, -0.5, 6, 'th-av-bg');
    const fill = 'hsl(' + (parseInt(k.slice(0, 3), 16) % 360) + ' 55% 45%)';
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 3; x++) {
        if (parseInt(k[3 + y * 3 + x], 16) & 1) {
          rect(x, y, 1, '', fill);
          if (x < 2) rect(4 - x, y, 1, '', fill);
        }
      }
    }
    return svg;
  }

  /* Client-side preview: the text is never parsed as HTML. Blocks and a few inline marks become
   * elements whose content is set as text. */
  function markdown(text) {
    const frag = doc.createDocumentFragment();
    for (const block of text.trim().split(/\n\s*\n/)) {
      if (!block.trim()) continue;
      const quote = /^>/.test(block);
      const p = h('p');
      (quote ? block.replace(/^> ?/gm, '') : block).split('\n').forEach((line, i) => {
        if (i) p.append(h('br'));
        inline(p, line);
      });
      frag.append(quote ? h('blockquote', null, p) : p);
    }
    return frag;
  }
  function inline(parent, s) {
    const re = /(\*\*|__)(.+?)\1|([*_])(.+?)\3|`([^`]+)`|\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)|(https?:\/\/[^\s<>]+)/g;
    let last = 0;
    let m;
    while ((m = re.exec(s))) {
      parent.append(s.slice(last, m.index));
      if (m[2]) parent.append(h('strong', { text: m[2] }));
      else if (m[4]) parent.append(h('em', { text: m[4] }));
      else if (m[5]) parent.append(h('code', { text: m[5] }));
      else parent.append(h('a', { href: m[7] || m[8], rel: 'nofollow ugc noopener', text: m[6] || m[8] }));
      last = re.lastIndex;
    }
    parent.append(s.slice(last));
  }

  function fmtLeft(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  /* -------------------------------------------------------------- the widget */

  function Widget(host) {
    const site = host.dataset.site;
    const canon = doc.querySelector('link[rel="canonical"]');
    const og = doc.querySelector('meta[property="og:title"]');
    const url = host.dataset.url || (canon && canon.href) || location.href.split(/[?#]/)[0];
    const title = host.dataset.title || (og && og.content) || doc.title;
    const nodes = new Map(); // comment id -> {el, data, list (its replies container), cursor, more}
    let cfg = null;
    let thread = null;
    let sort = SORTS.includes(store.get('sort')) ? store.get('sort') : 'oldest';
    let cursor = null;

    host.classList.add('townhall');
    host.replaceChildren();
    const status = h('div', { class: 'th-sr', role: 'status', 'aria-live': 'polite' });
    const heading = h('h2', { class: 'th-count', id: uid('h'), tabindex: '-1', text: S.loading });
    const notices = h('div', { class: 'th-notices' });
    const compose = h('div', { class: 'th-compose' });
    const sortSel = h('select', { id: uid('sort'), onchange: () => { sort = sortSel.value; store.set('sort', sort); load(); } },
      SORTS.map((s) => h('option', { value: s, text: S.sorts[s] })));
    const toolbar = h('div', { class: 'th-toolbar' }, h('label', { for: sortSel.id, text: S.sortBy }), sortSel);
    const focusBox = h('div', { class: 'th-focus', hidden: true });
    const list = h('div', { class: 'th-list' });
    const more = h('button', { type: 'button', class: 'th-btn th-loadmore', hidden: true, text: S.loadMore, onclick: () => loadPage() });
    host.append(h('section', { class: 'th-root', 'aria-labelledby': heading.id },
      heading, status, notices, compose, toolbar, focusBox, list, more));

    const announce = (msg) => { status.textContent = ''; setTimeout(() => { status.textContent = msg; }, 50); };
    const setCount = () => { heading.textContent = plural(S.comments, thread.count); };
    const threadQuery = (extra) => new URLSearchParams(Object.assign({ site, url, sort }, extra)).toString();
    const pendingKey = 'pending:' + site + '|' + url;

    /* ---------------- comments */

    function commentEl(c) {
      const id = 'comment-' + c.id;
      const repliesId = uid('r');
      const deleted = c.status === 'deleted';
      const a = c.author;
      const name = deleted ? '' : (a && a.name) || S.anonymous;
      const safeSite = a && a.website && /^https?:\/\//i.test(a.website) ? a.website : null;
      const nameEl = deleted ? null : safeSite
        ? h('a', { class: 'th-name', href: safeSite, rel: 'nofollow ugc noopener noreferrer', target: '_blank', text: name })
        : h('b', { class: 'th-name', text: name });
      const header = h('div', { class: 'th-head' },
        nameEl,
        (c.badges || []).map((b) => h('span', { class: 'th-badge th-badge-' + b, text: S.badges[b] || b })),
        h('a', { class: 'th-perma', href: '#' + id }, timeEl(c.created)),
        c.edited && h('span', { class: 'th-edited', title: t(S.editedAt, { time: DTF.format(new Date(c.edited)) }), text: S.edited }),
        c.in_reply_to && h('span', { class: 'th-irt' }, S.inReplyTo + ' ',
          h('a', { href: '#comment-' + c.in_reply_to.id, text: c.in_reply_to.name || S.anonymous })));
      const body = h('div', { class: 'th-body' });
      if (deleted) body.append(h('p', { class: 'th-muted', text: S.deleted }));
      else body.innerHTML = c.html; // server-sanitised HTML: the only HTML this widget inserts
      const actions = h('div', { class: 'th-actions' });
      const replies = h('div', { class: 'th-replies', id: repliesId });
      const el = h('article', { class: 'th-c' + (deleted ? ' th-deleted' : ''), id, tabindex: '-1', 'aria-label': name || S.deleted },
        h('div', { class: 'th-main' }, deleted ? h('span', { class: 'th-av th-av-none' }) : avatar(a && a.key),
          h('div', { class: 'th-content' }, header, body, actions)),
        replies);
      const node = { el, data: c, list: replies, body, actions, header, cursor: c.replies_cursor, more: null, toggle: null };
      nodes.set(c.id, node);
      buildActions(node);
      for (const r of c.replies || []) replies.append(commentEl(r));
      if (c.replies_cursor) addMoreReplies(node);
      syncToggle(node);
      return el;
    }

    function syncToggle(node) {
      const n = node.list.querySelectorAll('.th-c').length;
      if (!n) { if (node.toggle) node.toggle.hidden = true; return; }
      if (!node.toggle) {
        node.toggle = h('button', { type: 'button', class: 'th-link th-toggle', 'aria-expanded': 'true', 'aria-controls': node.list.id,
          onclick: () => setExpanded(node, node.toggle.getAttribute('aria-expanded') !== 'true') });
        node.actions.append(node.toggle);
      }
      node.toggle.hidden = false;
      setExpanded(node, node.toggle.getAttribute('aria-expanded') === 'true');
    }
    function setExpanded(node, open) {
      node.toggle.setAttribute('aria-expanded', String(open));
      node.list.hidden = !open;
      node.toggle.textContent = open ? S.hide : plural(S.show, node.list.querySelectorAll('.th-c').length);
    }

    function addMoreReplies(node) {
      node.more = h('button', { type: 'button', class: 'th-btn th-more', text: S.moreReplies, onclick: () => loadReplies(node) });
      node.list.append(node.more);
    }

    /* Where a comment goes: under its parent; a flattened one (past the display depth) beside
     * its parent, in the list of the deepest displayed ancestor. */
    function place(c, fallback, first) {
      const parent = nodes.get(c.parent);
      const el = commentEl(c);
      let target = parent ? parent.list : fallback;
      if (parent && c.in_reply_to && parent.data.level >= c.level) {
        // Flat: after the parent and the part of its subtree already shown (reading order).
        target = parent.el.parentNode;
        let after = parent.el;
        const ids = new Set([c.parent]);
        for (let n = after.nextElementSibling; n && n.matches('.th-c'); n = n.nextElementSibling) {
          const d = nodes.get(+n.id.slice(8));
          if (!d || !ids.has(d.data.parent)) break;
          ids.add(d.data.id);
          after = n;
        }
        after.after(el);
      } else {
        target.insertBefore(el, target.querySelector(first ? ':scope > .th-c' : ':scope > .th-more'));
      }
      let up = target.closest('.th-c');
      while (up) { const n = nodes.get(+up.id.slice(8)); if (n) syncToggle(n); up = up.parentNode.closest('.th-c'); }
      return el;
    }

    async function loadReplies(node) {
      node.more.disabled = true;
      const r = await api('/comments/' + node.data.id + '/replies?' + new URLSearchParams({ cursor: node.cursor }));
      node.more.disabled = false;
      if (r.status !== 200) { note(node, errorText(r)); return false; }
      for (const c of r.data.replies) if (!nodes.has(c.id)) place(c, node.list);
      node.cursor = r.data.cursor;
      if (!node.cursor) { node.more.remove(); node.more = null; }
      node.list.append(...(node.more ? [node.more] : []));
      showPending();
      return true;
    }

    async function loadPage() {
      more.disabled = true;
      const r = await api('/threads?' + threadQuery(cursor ? { cursor } : {}));
      more.disabled = false;
      if (r.status !== 200) { announce(errorText(r)); if (!thread) heading.textContent = errorText(r); return false; }
      thread = r.data.thread;
      setCount();
      for (const c of r.data.comments) if (!nodes.has(c.id)) list.append(commentEl(c));
      cursor = r.data.cursor;
      more.hidden = !cursor;
      showPending();
      return true;
    }

    async function load() {
      nodes.clear();
      list.replaceChildren();
      cursor = null;
      const first = !thread;
      if (!(await loadPage())) return;
      if (first) { renderNotices(); compose.replaceChildren(...(thread.closed ? [] : [formEl(null)])); }
      else announce(heading.textContent);
      await followHash();
    }

    /* ---------------- actions on a comment */

    function buildActions(node) {
      const c = node.data;
      const acts = node.actions;
      acts.replaceChildren();
      if (c.status === 'deleted') { if (node.toggle) acts.append(node.toggle); return; }
      const pending = node.el.classList.contains('th-pending'); // nothing to vote on or answer yet
      const votes = store.get('votes') || {};
      const score = h('span', { class: 'th-score', text: String(c.score), title: t(S.score, { n: c.score }) });
      const vote = (v) => h('button', { type: 'button', class: 'th-vote', 'aria-label': v > 0 ? S.upvote : S.downvote,
        'aria-pressed': String(votes[c.id] === v), text: v > 0 ? '▲' : '▼', onclick: (e) => castVote(node, v, e.currentTarget) });
      if (!pending) {
        acts.append(h('span', { class: 'th-votes' }, vote(1), score, vote(-1)));
        if (!thread || !thread.closed) acts.append(h('button', { type: 'button', class: 'th-link', text: S.reply, onclick: () => openReply(node) }));
        acts.append(h('button', { type: 'button', class: 'th-link', text: S.share, 'aria-expanded': 'false', onclick: (e) => openShare(node, e.currentTarget) }));
        acts.append(h('button', { type: 'button', class: 'th-link', text: S.report, 'aria-expanded': 'false', onclick: (e) => openReport(node, e.currentTarget) }));
      }
      const own = store.get('edit:' + c.id);
      if (own && new Date(own.expires) > Date.now()) {
        acts.append(
          h('button', { type: 'button', class: 'th-link', text: S.edit, onclick: () => openEdit(node, own) }),
          h('button', { type: 'button', class: 'th-link', text: S.delete, onclick: () => confirmDelete(node, own) }),
          h('span', { class: 'th-left', 'data-expires': own.expires, 'data-id': c.id,
            text: t(S.editLeft, { t: fmtLeft(new Date(own.expires) - Date.now()) }) }));
      } else if (own) store.del('edit:' + c.id);
      if (node.toggle) acts.append(node.toggle);
    }

    /* A failure shown where it happened (and announced), not only in the hidden live region. */
    function note(node, msg) {
      let n = node.actions.querySelector('.th-err');
      if (!n) node.actions.append((n = h('span', { class: 'th-err' })));
      n.textContent = msg;
      announce(msg);
    }

    function panel(node, cls, content) {
      const old = node.el.querySelector(':scope > .th-main .' + cls);
      if (old) { old.remove(); return null; }
      const p = h('div', { class: 'th-panel ' + cls }, content);
      node.actions.after(p);
      return p;
    }

    async function castVote(node, v, btn) {
      const votes = store.get('votes') || {};
      const value = votes[node.data.id] === v ? 0 : v;
      await readerToken();
      const r = await api('/comments/' + node.data.id + '/votes', { method: 'POST', body: { value }, headers: tokenHeader() });
      if (r.status !== 200) return note(node, errorText(r));
      votes[node.data.id] = value;
      store.set('votes', votes);
      Object.assign(node.data, { score: r.data.score, upvotes: r.data.upvotes, downvotes: r.data.downvotes });
      buildActions(node);
      const again = node.actions.querySelector('.th-vote[aria-label="' + btn.getAttribute('aria-label') + '"]');
      if (again) again.focus();
      announce(t(S.voted, { n: r.data.score }));
    }

    function openShare(node, btn) {
      const link = url + '#comment-' + node.data.id;
      const input = h('input', { type: 'text', readonly: true, value: link, id: uid('share'), class: 'th-input' });
      const p = panel(node, 'th-share', [
        h('label', { for: input.id, text: S.share }), input,
        h('button', { type: 'button', class: 'th-btn', text: S.copyLink, onclick: async () => {
          input.select();
          try { await navigator.clipboard.writeText(link); } catch (_) { /* selected for manual copy */ }
          announce(S.copied);
        } }),
        h('a', { class: 'th-btn', href: 'mailto:?' + new URLSearchParams({ subject: t(S.shareSubject, { title }), body: link }).toString().replace(/\+/g, '%20'), text: S.emailLink }),
      ]);
      btn.setAttribute('aria-expanded', String(!!p));
      if (p) input.focus();
    }

    function openReport(node, btn) {
      const sel = h('select', { id: uid('reason'), class: 'th-input' }, Object.keys(S.reasons).map((k) => h('option', { value: k, text: S.reasons[k] })));
      const note = h('input', { type: 'text', id: uid('note'), class: 'th-input', maxlength: '500' });
      const err = h('p', { class: 'th-err', role: 'alert' });
      const form = h('form', { class: 'th-report-form', novalidate: true },
        h('label', { for: sel.id, text: S.reportReason }), sel, h('label', { for: note.id, text: S.reportNote }), note,
        h('button', { type: 'submit', class: 'th-btn', text: S.reportSend }), err);
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        await readerToken();
        const r = await api('/comments/' + node.data.id + '/reports', { method: 'POST', body: { reason: sel.value, note: note.value }, headers: tokenHeader() });
        if (r.status !== 201) { err.textContent = errorText(r); return; }
        form.replaceWith(h('p', { class: 'th-ok', text: S.reported }));
        announce(S.reported);
        btn.focus();
      });
      const p = panel(node, 'th-report', form);
      btn.setAttribute('aria-expanded', String(!!p));
      if (p) sel.focus();
    }

    function openReply(node) {
      const old = node.el.querySelector(':scope > .th-main .th-form');
      if (old) { old.querySelector('textarea').focus(); return; }
      const f = formEl(node);
      node.actions.after(f);
      f.querySelector('textarea').focus();
    }

    function openEdit(node, own) {
      const ta = h('textarea', { id: uid('edit'), class: 'th-input', rows: '5' });
      ta.value = own.text || node.body.textContent.trim();
      const err = h('p', { class: 'th-err', id: uid('err'), hidden: true });
      const formErr = h('p', { class: 'th-err th-form-err', role: 'alert' });
      const asIs = h('button', { type: 'button', class: 'th-btn', hidden: true, text: S.saveAsIs, onclick: () => send(true) });
      const form = h('form', { class: 'th-edit-form', novalidate: true },
        h('label', { for: ta.id, text: S.text }), ta, err, formErr,
        h('div', { class: 'th-row' }, h('button', { type: 'submit', class: 'th-btn th-primary', text: S.save }), asIs,
          h('button', { type: 'button', class: 'th-btn', text: S.cancel, onclick: () => { form.replaceWith(node.body); node.actions.hidden = false; } })));
      form.addEventListener('submit', (e) => { e.preventDefault(); send(false); });
      async function send(ack) {
        const r = await api('/comments/' + node.data.id, { method: 'PATCH', body: { text: ta.value, acknowledge_warning: ack }, headers: { 'X-Townhall-Edit-Token': own.token } });
        if (r.status === 200 || r.status === 202) {
          own.text = ta.value;
          store.set('edit:' + node.data.id, own);
          if (r.data.comment) { Object.assign(node.data, r.data.comment); node.body.innerHTML = r.data.comment.html; }
          else {
            node.body.replaceChildren(markdown(ta.value));
            node.el.classList.add('th-pending');
            const pend = (store.get(pendingKey) || []).filter((p) => p.id !== node.data.id);
            pend.push({ id: node.data.id, parent: node.data.parent, text: ta.value, name: (node.data.author || {}).name, created: node.data.created });
            store.set(pendingKey, pend);
          }
          refreshHeader(node);
          form.replaceWith(node.body);
          node.actions.hidden = false;
          buildActions(node);
          announce(r.status === 202 ? S.pending : S.saved);
          node.el.focus();
          return;
        }
        asIs.hidden = !showErrors({ text: [ta, err, null, S.text] }, formErr, r);
      }
      node.body.replaceWith(form);
      node.actions.hidden = true;
      ta.focus();
    }

    function refreshHeader(node) {
      const c = node.data;
      let mark = node.header.querySelector('.th-edited');
      if (node.el.classList.contains('th-pending') && !node.header.querySelector('.th-pmark')) {
        node.header.append(h('span', { class: 'th-pmark', text: S.pendingMark }));
      }
      if (c.edited && !mark) node.header.querySelector('.th-perma').after((mark = h('span', { class: 'th-edited', text: S.edited })));
      if (mark) mark.title = t(S.editedAt, { time: DTF.format(new Date(c.edited || Date.now())) });
    }

    function confirmDelete(node, own) {
      const p = panel(node, 'th-confirm', [
        h('span', { text: S.confirmDelete + ' ' }),
        h('button', { type: 'button', class: 'th-btn th-danger', text: S.yesDelete, onclick: async () => {
          const r = await api('/comments/' + node.data.id, { method: 'DELETE', headers: { 'X-Townhall-Edit-Token': own.token } });
          if (r.status !== 200) { p.remove(); note(node, errorText(r)); return; }
          store.del('edit:' + node.data.id);
          forgetPending(node.data.id);
          if (!node.el.classList.contains('th-pending')) { thread.count = Math.max(0, thread.count - 1); setCount(); }
          if (node.list.querySelector('.th-c')) {
            // Its replies stay; the comment keeps its place, marked deleted.
            Object.assign(node.data, { status: 'deleted', author: null });
            node.el.classList.add('th-deleted');
            node.el.querySelector('.th-av').replaceWith(h('span', { class: 'th-av th-av-none' }));
            node.header.replaceChildren(node.header.querySelector('.th-perma'));
            node.body.replaceChildren(h('p', { class: 'th-muted', text: S.deleted }));
            buildActions(node);
          } else {
            const parentEl = node.el.parentNode.closest('.th-c');
            node.el.remove();
            nodes.delete(node.data.id);
            if (parentEl) syncToggle(nodes.get(+parentEl.id.slice(8)));
          }
          announce(S.deletedDone);
          heading.focus();
        } }),
        h('button', { type: 'button', class: 'th-btn', text: S.cancel, onclick: () => p.remove() }),
      ]);
      if (p) p.querySelector('button').focus();
    }

    /* ---------------- the form */

    function formEl(parentNode) {
      const saved = store.get('author');
      const fields = {};
      const field = (key, label, input, required, hint) => {
        input.id = uid(key);
        input.name = key;
        input.className = 'th-input';
        const err = h('p', { class: 'th-err', id: uid('err'), hidden: true });
        const hintEl = hint ? h('p', { class: 'th-hint', id: uid('hint'), text: hint }) : null;
        if (required) input.setAttribute('aria-required', 'true');
        if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
        fields[key] = [input, err, hintEl, label];
        return h('div', { class: 'th-field th-f-' + key },
          h('label', { for: input.id }, label, required ? h('span', { class: 'th-req', 'aria-hidden': 'true', text: ' *' }) : null),
          input, hintEl, err);
      };
      const ta = h('textarea', { rows: parentNode ? '4' : '5', maxlength: String((cfg && cfg.max_text_length) || 10000) });
      const preview = h('div', { class: 'th-preview th-body', hidden: true, tabindex: '-1', 'aria-label': S.previewLabel });
      const pvBtn = h('button', { type: 'button', class: 'th-link', 'aria-pressed': 'false', text: S.preview });
      pvBtn.addEventListener('click', () => {
        const on = preview.hidden;
        preview.replaceChildren(ta.value.trim() ? markdown(ta.value) : h('p', { class: 'th-muted', text: S.previewEmpty }));
        preview.hidden = !on;
        ta.hidden = on;
        pvBtn.setAttribute('aria-pressed', String(on));
        pvBtn.textContent = on ? S.write : S.preview;
        (on ? preview : ta).focus();
      });
      const name = h('input', { type: 'text', autocomplete: 'name', maxlength: '100' });
      const email = h('input', { type: 'email', autocomplete: 'email', maxlength: '254' });
      const website = h('input', { type: 'url', autocomplete: 'url', maxlength: '200' });
      const remember = h('input', { type: 'checkbox', id: uid('rem') });
      const notify = h('input', { type: 'checkbox', id: uid('notify') });
      if (saved) { name.value = saved.name || ''; email.value = saved.email || ''; website.value = saved.website || ''; remember.checked = true; }
      const formErr = h('p', { class: 'th-err th-form-err', role: 'alert' });
      const formOk = h('p', { class: 'th-ok' });
      const submit = h('button', { type: 'submit', class: 'th-btn th-primary', text: parentNode ? S.postReply : S.post });
      const asIs = h('button', { type: 'button', class: 'th-btn', hidden: true, text: S.postAsIs, onclick: () => send(true) });
      const legendText = parentNode ? t(S.replyTo, { name: (parentNode.data.author && parentNode.data.author.name) || S.anonymous }) : S.leaveReply;
      const form = h('form', { class: 'th-form', novalidate: true, 'aria-label': legendText },
        h('h3', { class: 'th-form-title', text: legendText }),
        !parentNode && cfg.rules ? h('div', { class: 'th-rules' }, h('strong', { text: S.rules + ': ' }), cfg.rules) : null,
        h('p', { class: 'th-note' }, S.emailNote + ' ', h('span', { text: S.requiredNote })),
        field('text', S.text, ta, true, S.textHint),
        h('div', { class: 'th-row' }, pvBtn),
        preview,
        h('div', { class: 'th-grid' },
          field('author_name', S.name, name, cfg.require_name),
          field('author_email', S.email, email, cfg.require_email),
          field('author_website', S.website, website, false)),
        h('div', { class: 'th-row' },
          h('span', { class: 'th-check' }, remember, h('label', { for: remember.id, text: S.remember })),
          h('span', { class: 'th-check' }, notify, h('label', { for: notify.id, text: S.notify }))),
        formErr, formOk,
        h('div', { class: 'th-row' }, submit, asIs,
          parentNode ? h('button', { type: 'button', class: 'th-btn', text: S.cancel, onclick: () => { form.remove(); parentNode.el.querySelector('.th-actions .th-link:not(.th-toggle)').focus(); } }) : null));

      form.addEventListener('submit', (e) => { e.preventDefault(); send(false); });
      async function send(ack) {
        if (remember.checked) store.set('author', { name: name.value, email: email.value, website: website.value });
        else store.del('author');
        submit.disabled = true;
        submit.textContent = S.posting;
        const body = {
          site, url, title, parent: parentNode ? parentNode.data.id : null, text: ta.value,
          author_name: name.value, author_email: email.value, author_website: website.value, notify: notify.checked,
          acknowledge_warning: ack,
        };
        await readerToken(); // ties the comment to this browser: "my comments", no self-votes
        const r = await api('/comments', { method: 'POST', body, headers: tokenHeader() });
        submit.disabled = false;
        submit.textContent = parentNode ? S.postReply : S.post;
        formOk.textContent = '';
        asIs.hidden = true;
        if (r.status === 201 || r.status === 202) {
          clearErrors(fields, formErr);
          formOk.textContent = r.status === 201 ? S.posted : S.pending;
          // The window counted on this browser's clock (the server's may differ), never past it.
          const expires = Math.min(Date.now() + cfg.edit_window_minutes * 6e4, Date.parse(r.data.edit_expires) || Infinity);
          if (r.data.edit_token) store.set('edit:' + r.data.id, { token: r.data.edit_token, expires: new Date(expires).toISOString(), text: ta.value });
          let el;
          if (r.status === 201) {
            thread.count += 1;
            setCount();
            el = place(r.data.comment, list, !parentNode && (sort !== 'oldest' || cursor));
            announce(S.posted);
          } else {
            const pend = store.get(pendingKey) || [];
            pend.push({ id: r.data.id, parent: body.parent, text: ta.value, name: name.value, created: new Date().toISOString() });
            store.set(pendingKey, pend);
            el = showPending(r.data.id);
            announce(S.pending);
          }
          ta.value = '';
          if (!preview.hidden) pvBtn.click();
          if (parentNode) form.remove();
          if (el) { el.scrollIntoView({ block: 'nearest' }); el.focus({ preventScroll: true }); }
          return;
        }
        asIs.hidden = !showErrors(fields, formErr, r);
      }
      return form;
    }

    function clearErrors(fields, formErr) {
      formErr.textContent = '';
      for (const k in fields) {
        const [input, err, hint] = fields[k];
        err.hidden = true;
        err.textContent = '';
        input.removeAttribute('aria-invalid');
        if (hint) input.setAttribute('aria-describedby', hint.id);
        else input.removeAttribute('aria-describedby');
      }
    }

    function showErrors(fields, formErr, r) {
      clearErrors(fields, formErr);
      const other = [];
      let first = null;
      for (const e of (r.status === 422 && r.data.errors) || []) {
        const f = fields[e.field];
        if (!f) { other.push(e.message ? e.field + ': ' + e.message : e.field); continue; }
        const [input, err, hint, label] = f;
        err.hidden = false;
        // "is required" reads as "Name is required."; a whole sentence from the server stays as is.
        const msg = /^[a-z]/.test(e.message) && label ? label + ' ' + e.message + '.' : capital(e.message);
        err.textContent = (err.textContent ? err.textContent + ' ' : '') + msg;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', (hint ? hint.id + ' ' : '') + err.id);
        first = first || input;
      }
      // A warning (not an error): the writer may revise, or send it as is.
      const warning = r.status === 422 && r.data.code === 'toxicity_warning';
      formErr.textContent = warning ? '' : first ? [S.errors, ...other].join(' ') : other.join(' ') || errorText(r);
      if (first) { if (first.hidden) first.hidden = false; first.focus(); }
      return warning;
    }
    const capital = (s) => String(s).charAt(0).toUpperCase() + String(s).slice(1);

    /* ---------------- the reader's own pending comments, shown only to them */

    function forgetPending(id) {
      store.set(pendingKey, (store.get(pendingKey) || []).filter((p) => p.id !== id));
    }
    function showPending(onlyId) {
      const keep = [];
      let made = null;
      for (const p of store.get(pendingKey) || []) {
        if (Date.now() - new Date(p.created) > 7 * 864e5) continue;
        const shown = nodes.get(p.id);
        if (shown && !shown.el.classList.contains('th-pending')) continue; // approved: the thread has it
        keep.push(p);
        if (shown) continue;
        if (onlyId && p.id !== onlyId) continue;
        const parent = p.parent ? nodes.get(p.parent) : null;
        if (p.parent && !parent) continue;
        const c = { id: p.id, parent: p.parent, depth: 0, level: parent ? Math.min(parent.data.level + 1, cfg.display_depth - 1) : 0,
          author: { name: p.name || S.anonymous, website: null, key: '' }, badges: [], html: '', status: 'published',
          created: p.created, edited: null, score: 0, upvotes: 0, downvotes: 0, reply_count: 0,
          in_reply_to: parent && parent.data.level >= cfg.display_depth - 1 ? { id: p.parent, name: (parent.data.author || {}).name } : null,
          replies: [], replies_cursor: null };
        made = place(c, list, true);
        made.classList.add('th-pending');
        const node = nodes.get(p.id);
        node.body.replaceChildren(markdown(p.text));
        buildActions(node);
        refreshHeader(node);
      }
      store.set(pendingKey, keep);
      return made;
    }

    /* Held comments: ask once per visit how moderation went (only their author may ask). */
    async function checkPending() {
      for (const p of store.get(pendingKey) || []) {
        const r = await api('/comments/' + p.id + '/outcome', { headers: tokenHeader() });
        const outcome = r.status === 200 ? r.data.status : r.status === 404 ? 'deleted' : 'pending';
        if (outcome === 'pending') continue;
        forgetPending(p.id);
        const n = nodes.get(p.id);
        if (!n || !n.el.classList.contains('th-pending')) continue;
        const mark = n.header.querySelector('.th-pmark');
        n.el.classList.remove('th-pending');
        if (outcome === 'published') { if (mark) mark.remove(); continue; }
        n.el.classList.add('th-rejected');
        if (mark) mark.textContent = outcome === 'rejected' ? S.rejected : S.deleted;
        n.actions.replaceChildren();
      }
    }

    /* ---------------- notices */

    function renderNotices() {
      notices.replaceChildren();
      if (thread.closed) notices.append(h('p', { class: 'th-notice', text: S.closed }));
      else if (cfg.premoderate) notices.append(h('p', { class: 'th-notice', text: S.premoderated }));
    }

    /* ---------------- permalinks: #comment-ID scrolls to it, loading what is needed */

    async function followHash(_, all) {
      const m = /^#comment-(\d+)$/.exec(location.hash);
      if (!m || !thread) return;
      const id = +m[1];
      if (!nodes.has(id)) {
        const r = await api('/comments/' + id);
        if (r.status !== 200 || r.data.thread_url !== thread.url) return announce(S.notFound);
        // Load the pages and replies that lead to it; past a few pages, show it on its own first.
        const top = r.data.ancestors.length ? r.data.ancestors[0] : id;
        const max = all === true ? Infinity : 10;
        for (let i = 0; i < max && !nodes.has(top) && cursor; i++) if (!(await loadPage())) break;
        const root = nodes.get(top);
        for (let i = 0; i < max * 3 && root && !nodes.has(id) && root.cursor; i++) if (!(await loadReplies(root))) break;
        if (!nodes.has(id)) return showFocused(r.data);
      }
      focusBox.hidden = true;
      highlight(nodes.get(id).el);
    }

    function showFocused(c) {
      const saved = new Map(nodes);
      const el = commentEl(Object.assign({}, c, { replies: [], replies_cursor: null }));
      el.id = 'th-focused-' + c.id;
      nodes.clear();
      saved.forEach((v, k) => nodes.set(k, v));
      focusBox.replaceChildren(h('p', { class: 'th-muted', text: S.focused }), el,
        h('button', { type: 'button', class: 'th-btn', text: S.showThread, onclick: () => followHash(null, true) }));
      focusBox.hidden = false;
      highlight(el);
    }

    function highlight(el) {
      for (const o of host.querySelectorAll('.th-hl')) o.classList.remove('th-hl');
      for (let p = el.parentNode.closest('.th-c'); p; p = p.parentNode.closest('.th-c')) {
        const n = nodes.get(+p.id.slice(8));
        if (n && n.toggle && n.list.hidden) setExpanded(n, true);
      }
      el.classList.add('th-hl');
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    }

    /* ---------------- timers: relative times each minute, edit windows each second */

    setInterval(() => {
      for (const el of host.querySelectorAll('.th-left')) {
        const left = new Date(el.dataset.expires) - Date.now();
        if (left > 0) el.textContent = t(S.editLeft, { t: fmtLeft(left) });
        else { const n = nodes.get(+el.dataset.id); if (n) buildActions(n); }
      }
    }, 1000);
    setInterval(() => {
      for (const el of host.querySelectorAll('time[datetime]')) el.textContent = relTime(new Date(el.getAttribute('datetime')));
    }, 60000);
    window.addEventListener('hashchange', followHash);

    (async () => {
      if (!doc.querySelector('link[data-townhall-css]')) {
        doc.head.append(h('link', { rel: 'stylesheet', href: BASE + '/static/townhall/embed.css', 'data-townhall-css': '' }));
      }
      sortSel.value = sort;
      const r = await api('/config?' + new URLSearchParams({ site }));
      if (r.status !== 200) { heading.textContent = errorText(r); return; }
      cfg = r.data;
      await load();
      await checkPending();
      host.dataset.townhallReady = 'true';
    })();
  }

  const start = () => { const el = doc.getElementById('townhall'); if (el && !el.dataset.townhallStarted) { el.dataset.townhallStarted = '1'; Widget(el); } };
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();
})();
