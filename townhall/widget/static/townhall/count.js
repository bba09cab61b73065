/* Townhall comment counts: every <a data-townhall-count href="..."> on the page becomes
 * "N comments", with one request per site (normally one per page).
 * <script defer src="https://SERVER/static/townhall/count.js" data-site="SLUG"></script>
 * The site comes from the script's data-site, else the link's data-townhall-site, else the
 * #townhall element's data-site. The thread URL is the link's data-townhall-url, else its href
 * without the fragment; a link to this very page counts this page's canonical URL. The words
 * follow the page's lang, from the widget's catalog (i18n/LANG.json) for a language but English. */
(() => {
  'use strict';
  const STRINGS = { zero: 'No comments yet', one: '1 comment', other: '{n} comments' };
  const OWN = (window.Townhall && window.Townhall.countStrings) || {};
  let S = Object.assign({}, STRINGS, OWN);
  const doc = document;
  const LANG = doc.documentElement.lang || 'en';
  const script = doc.currentScript;
  const BASE = script ? script.src.replace(/\/static\/townhall\/count\.js(\?.*)?$/, '') : location.origin;
  const PLURAL = new Intl.PluralRules(LANG);
  const NUM = new Intl.NumberFormat(LANG);

  async function run() {
    if (!/^en\b/i.test(LANG)) {
      try {
        const r = await fetch(BASE + '/static/townhall/i18n/' + LANG.split('-')[0] + '.json', { credentials: 'omit' });
        if (r.ok) S = Object.assign({}, STRINGS, (await r.json()).comments, OWN);
      } catch (_) { /* English words */ }
    }
    const links = [...doc.querySelectorAll('a[data-townhall-count]')];
    const host = doc.getElementById('townhall');
    const canon = doc.querySelector('link[rel="canonical"]');
    const here = location.href.split('#')[0];
    const bySite = new Map();
    for (const a of links) {
      const site = (script && script.dataset.site) || a.dataset.townhallSite || (host && host.dataset.site);
      if (!site) continue;
      let url = a.dataset.townhallUrl || a.href.split('#')[0];
      if (url === here) url = (host && host.dataset.url) || (canon && canon.href) || here.split('?')[0];
      if (!bySite.has(site)) bySite.set(site, []);
      bySite.get(site).push([a, url]);
    }
    bySite.forEach(async (items, site) => {
      const q = new URLSearchParams({ site });
      for (const u of new Set(items.map((i) => i[1]))) q.append('url', u);
      try {
        const res = await fetch(BASE + '/api/v1/counts?' + q, { credentials: 'omit' });
        if (!res.ok) return;
        const counts = (await res.json()).counts;
        for (const [a, u] of items) {
          const n = counts[u];
          if (typeof n !== 'number') continue;
          a.textContent = ((n === 0 && S.zero) || S[PLURAL.select(n)] || S.other).replace('{n}', NUM.format(n));
          a.dataset.townhallCounted = String(n);
        }
      } catch (_) { /* the link keeps its server-rendered text */ }
    });
  }
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', run);
  else run();
})();
