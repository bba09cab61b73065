/* Townhall comment counts: every <a data-townhall-count href="..."> on the page becomes
 * "N comments", with one request per site (normally one per page).
 * <script defer src="https://SERVER/static/townhall/count.js" data-site="SLUG"></script>
 * The site comes from the script's data-site, else the link's data-townhall-site, else the
 * #townhall element's data-site. The thread URL is the link's data-townhall-url, else its href
 * without the fragment; a link to this very page counts this page's canonical URL. */
(() => {
  'use strict';
  const STRINGS = { zero: 'No comments yet', one: '1 comment', other: '{n} comments' };
  const S = Object.assign({}, STRINGS, (window.Townhall && window.Townhall.countStrings) || {});
  const doc = document;
  const script = doc.currentScript;
  const BASE = script ? script.src.replace(/\/static\/townhall\/count\.js(\?.*)?$/, '') : location.origin;
  const PLURAL = new Intl.PluralRules(doc.documentElement.lang || navigator.language || 'en');

  function run() {
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
          a.textContent = ((n === 0 && S.zero) || S[PLURAL.select(n)] || S.other).replace('{n}', n);
          a.dataset.townhallCounted = String(n);
        }
      } catch (_) { /* the link keeps its server-rendered text */ }
    });
  }
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', run);
  else run();
})();
