// Civil affairs: organizations waiting for verification in the region, verified or rejected with
// a reason; each error beside the organization it concerns.
import { gql } from '../api.js';
import { t } from '../i18n.js';
import { h, field, errorSlot, busy, announce } from '../dom.js';

export async function verifyView(main) {
  const render = async () => {
    const orgs = (await gql('{ pendingOrganizations { id name creditCode countyCode address status } }')).pendingOrganizations;
    // County names from the prefectures the organizations sit in (a county's code starts with its prefecture's four digits).
    const prefectures = [...new Set(orgs.map((o) => `${o.countyCode.slice(0, 4)}00`))];
    const lists = await Promise.all(prefectures.map((p) => gql('query($p: String){ regions(parentCode: $p){ code name } }', { p }).then((d) => d.regions)));
    const counties = new Map(lists.flat().map((r) => [r.code, r.name]));
    const cards = orgs.map((o) => {
      const err = errorSlot(`verify-${o.id}-error`);
      const ok = h('button', { type: 'button', dataset: { verify: o.id } }, t('approve'));
      ok.addEventListener('click', () => busy(ok, err, async () => {
        await gql('mutation($id: ID!){ verifyOrganization(id: $id){ id status } }', { id: o.id });
        announce(t('verified'));
        await render();
      }));
      const [reasonF, reason] = field(t('rejectReason'), h('input', { type: 'text', id: `reject-${o.id}` }));
      const no = h('button', { type: 'button', class: 'secondary', dataset: { reject: o.id } }, t('reject'));
      no.addEventListener('click', () => busy(no, err, async () => {
        await gql('mutation($id: ID!, $r: String!){ rejectOrganization(id: $id, reason: $r){ id status } }', { id: o.id, r: reason.value });
        announce(t('done'));
        await render();
      }));
      return h('section', { class: 'card', 'aria-label': o.name, dataset: { org: o.id } }, h('h2', {}, o.name),
        h('dl', { class: 'facts' }, h('dt', {}, t('creditCode')), h('dd', {}, o.creditCode),
          h('dt', {}, t('county')), h('dd', {}, counties.get(o.countyCode) ?? o.countyCode),
          h('dt', {}, t('address')), h('dd', {}, o.address)),
        h('div', { class: 'row' }, ok, reasonF, no), err);
    });
    main.replaceChildren(h('h1', {}, t('pending')), ...(cards.length ? cards : [h('p', { id: 'nothing-pending' }, t('none'))]));
  };
  try { await render(); } catch (e) { const err = errorSlot('verify-error'); err.show(e); main.replaceChildren(h('h1', {}, t('verify')), err); }
}
