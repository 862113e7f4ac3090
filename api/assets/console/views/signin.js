import { login } from '../api.js';
import { t } from '../i18n.js';
import { h, field, errorSlot, busy } from '../dom.js';

export function signinView(main, next) {
  const [emailField, email] = field(t('email'), h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true }));
  const [pwField, password] = field(t('password'), h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }));
  const err = errorSlot('signin-error');
  const button = h('button', { type: 'submit', id: 'signin-submit' }, t('signin'));
  const expired = sessionStorage.getItem('tongxin.console.expired');
  sessionStorage.removeItem('tongxin.console.expired');
  const form = h('form', { class: 'card signin', id: 'signin', novalidate: true },
    h('h1', {}, t('signinTitle')),
    expired ? h('p', { class: 'error', role: 'status' }, t('sessionExpired')) : null,
    emailField, pwField, err, button);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, async () => {
      await login(email.value.trim(), password.value);
      location.hash = next && next.startsWith('#/') && !next.startsWith('#/signin') ? next : '#/';
    });
  });
  main.replaceChildren(form);
  email.focus();
}
