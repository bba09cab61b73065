/* Townhall: follow an article by email. embed.js imports this module only when a reader presses
 * "Follow by email", so readers who never do download none of it. It posts to
 * /api/v1/follows; the server mails a confirmation link the first time an address asks for
 * anything, and every later mail carries links to stop it. Translated by embed.js's
 * catalog (S.followForm); a site may set window.Townhall = {strings: {followForm: {...}}}. */
const STRINGS = {
  email: 'Your email address (never shown)',
  send: 'Follow',
  hint: 'One email for each new comment on this article, gathered when several come at once.',
};

export function open(button, { api, h, errorText, S, state }) {
  const L = Object.assign({}, STRINGS, S.followForm || {});
  const bar = button.closest('.th-toolbar');
  const shown = bar.parentNode.querySelector('.th-followform');
  if (shown) { shown.querySelector('input, p').focus(); return; }
  const id = 'th-follow-' + Math.random().toString(36).slice(2);
  const input = h('input', { type: 'email', id, required: true, autocomplete: 'email', class: 'th-input' });
  const status = h('p', { role: 'status', 'aria-live': 'polite', tabindex: '-1' });
  const form = h('form', { class: 'th-followform', novalidate: true },
    h('label', { for: id, text: L.email }), ' ', input, ' ',
    h('button', { type: 'submit', class: 'th-btn', text: L.send }),
    h('p', { class: 'th-hint', text: L.hint }), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api('/follows', {
      method: 'POST', body: { site: state.site, url: state.url, email: input.value, title: state.title || '' },
    });
    if (r.status === 202) {
      form.replaceChildren(status);
      status.textContent = r.data.message;
      status.focus();
      return;
    }
    status.textContent = errorText(r);
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  });
  bar.after(form);
  input.focus();
}
