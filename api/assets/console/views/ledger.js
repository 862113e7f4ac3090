// Civil affairs: the key-care ledger of their region (risk level, reasons, care measures) and the
// register records whose six-monthly verification is due.
import { gql } from '../api.js';
import { t, when } from '../i18n.js';
import { h, field, errorSlot } from '../dom.js';

const LEDGER = `query($r: String!, $l: RiskLevel){ keyCareLedger(regionCode: $r, riskLevel: $l, first: 50){ edges { node {
  id reasons riskLevel riskScore child { name residenceRegion { name } }
  measures { id description status dueAt overdue department { name } } } } } }`;
const DUE = `query($r: String!){ dueVerifications(regionCode: $r, first: 50){ edges { node {
  id name residenceRegion { name } lastVerifiedAt } } } }`;

export async function ledgerView(main, { me }) {
  const err = errorSlot('ledger-error');
  const [levelF, level] = field(t('riskLevel'), h('select', { id: 'f-risk' }, h('option', { value: '' }, t('all')),
    ['HIGH', 'MEDIUM', 'LOW'].map((l) => h('option', { value: l }, t(`risk.${l}`)))));
  const body = h('tbody', { id: 'ledger-rows' });
  const table = h('table', { id: 'ledger', 'aria-busy': 'true' }, h('caption', { class: 'visually-hidden' }, t('ledger')),
    h('thead', {}, h('tr', {}, [t('child'), t('county'), t('riskLevel'), t('reasons'), t('measures')].map((c) => h('th', { scope: 'col' }, c)))), body);
  const due = h('ul', { id: 'due-verifications' });
  const load = async () => {
    table.setAttribute('aria-busy', 'true');
    err.show(null);
    try {
      const rows = (await gql(LEDGER, { r: me.regionCode, l: level.value || null })).keyCareLedger.edges.map((e) => e.node);
      body.replaceChildren(...rows.map((e) => h('tr', { dataset: { id: e.id } },
        h('td', { 'data-label': t('child') }, e.child.name ?? '—'),
        h('td', { 'data-label': t('county') }, e.child.residenceRegion.name),
        h('td', { 'data-label': t('riskLevel') }, e.riskLevel ? `${t(`risk.${e.riskLevel}`)} (${e.riskScore})` : t('notAssessed')),
        h('td', { 'data-label': t('reasons') }, e.reasons.map((r) => t(`reason.${r}`)).join('、')),
        h('td', { 'data-label': t('measures') }, e.measures.length ? h('ul', {}, e.measures.map((m) => h('li', {},
          `${m.department.name}：${m.description} · ${t(`measure.${m.status}`)} · ${when(m.dueAt)}`,
          m.overdue ? [' ', h('span', { class: 'badge overdue' }, t('overdue'))] : null))) : t('none')))));
      if (!rows.length) body.append(h('tr', {}, h('td', { colspan: 5 }, t('none'))));
    } catch (e) { err.show(e); }
    table.setAttribute('aria-busy', 'false');
  };
  level.addEventListener('change', load);
  main.replaceChildren(h('h1', {}, t('ledger')), h('form', { class: 'card row', onsubmit: (e) => e.preventDefault() }, levelF), err, table,
    h('h2', {}, t('dueVerifications')), due);
  await load();
  try {
    const rows = (await gql(DUE, { r: me.regionCode })).dueVerifications.edges.map((e) => e.node);
    due.replaceChildren(...rows.map((r) => h('li', {}, `${r.name ?? '—'} · ${r.residenceRegion.name} · ${t('lastVerified')}：${when(r.lastVerifiedAt)}`)));
    if (!rows.length) due.append(h('li', {}, t('none')));
  } catch (e) { const dueErr = errorSlot('due-error'); dueErr.show(e); due.replaceWith(dueErr); }
}
