// Start-up, navigation by role and the hash router. A page that finds the session over sends the
// user to sign-in with the page's address, and sign-in returns there.
import { gql, session, logout, whenExpired } from './api.js';
import { t, lang, setLang } from './i18n.js';
import { h } from './dom.js';
import { signinView } from './views/signin.js';
import { queueView } from './views/queue.js';
import { requestView } from './views/request.js';
import { orgView } from './views/org.js';
import { verifyView } from './views/verify.js';
import { ledgerView } from './views/ledger.js';
import { statsView } from './views/stats.js';

const NAV = {
  DEPARTMENT_STAFF: [['#/queue', 'queue']],
  ORG_STAFF: [['#/org', 'org']],
  CIVIL_AFFAIRS: [['#/verify', 'verify'], ['#/ledger', 'ledger'], ['#/statistics', 'statistics']],
};
const ROUTES = [
  [/^#\/queue$/, queueView],
  [/^#\/request\/([\w-]+)$/, requestView],
  [/^#\/org$/, orgView],
  [/^#\/verify$/, verifyView],
  [/^#\/ledger$/, ledgerView],
  [/^#\/statistics$/, statsView],
];

let me = null;
let cleanup = null;

function toSignin() {
  const back = location.hash.startsWith('#/signin') ? '' : location.hash;
  me = null;
  location.hash = `#/signin${back ? `?next=${encodeURIComponent(back)}` : ''}`;
}
whenExpired(() => { sessionStorage.setItem('tongxin.console.expired', '1'); toSignin(); });

function chrome() {
  document.documentElement.lang = lang();
  document.title = t('brand');
  document.getElementById('brand').textContent = t('brand');
  document.querySelector('.skip').textContent = t('skip');
  document.getElementById('lang-label').textContent = t('lang');
  document.getElementById('lang').value = lang();
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav'));
  nav.replaceChildren(...(me ? NAV[me.role] ?? [] : []).map(([href, key]) =>
    h('a', { href, 'aria-current': location.hash.startsWith(href) ? 'page' : null }, t(key))));
  const out = document.getElementById('signout');
  out.textContent = t('signout');
  out.hidden = !me;
  document.getElementById('who').textContent = me ? `${me.displayName}${me.department ? ` · ${me.department.name}` : ''}` : '';
}

async function route() {
  cleanup?.();
  cleanup = null;
  const main = document.getElementById('main');
  const hash = location.hash || '#/';
  if (hash.startsWith('#/signin')) {
    me = null;
    chrome();
    return signinView(main, new URLSearchParams(hash.split('?')[1] ?? '').get('next'));
  }
  if (!session()) return toSignin();
  if (!me) {
    try {
      me = (await gql('{ me { id displayName role regionCode organizationId department { code name } } }')).me;
    } catch { return undefined; }
  }
  chrome();
  const found = ROUTES.find(([re]) => re.test(hash));
  const allowed = (NAV[me.role] ?? []).map(([href]) => href);
  if (!found) {
    if (allowed.length) { location.hash = allowed[0]; return undefined; }
    return main.replaceChildren(h('h1', {}, t('brand')), h('p', {}, t('noRole')));
  }
  const [re, view] = found;
  cleanup = await view(main, { me }, ...hash.match(re).slice(1));
  return undefined;
}

document.getElementById('lang').addEventListener('change', (e) => { setLang(e.target.value); me = null; route(); });
document.getElementById('signout').addEventListener('click', async () => { await logout(); toSignin(); });
window.addEventListener('hashchange', route);
route();
