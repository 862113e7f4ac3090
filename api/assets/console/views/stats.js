// Civil affairs: statistics of their region (year to date) and the register as CSV for the
// national child-welfare information system.
import { gql } from '../api.js';
import { t } from '../i18n.js';
import { h, errorSlot, busy } from '../dom.js';

const STATS = `query($r: String!){ statistics(regionCode: $r){ region { name } from to childrenInScope
  childrenByCounty { key count } keyCareByRiskLevel { key count } } }`;

/** County names for the codes under the viewer's region. */
async function names(code) {
  const { regions } = await gql('query($p: String){ regions(parentCode: $p){ code name } }', { p: code });
  return new Map(regions.map((r) => [r.code, r.name]));
}

export async function statsView(main, { me }) {
  const err = errorSlot('stats-error');
  let s;
  let counties;
  try { [s, counties] = [(await gql(STATS, { r: me.regionCode })).statistics, await names(me.regionCode)]; } catch (e) {
    err.show(e);
    main.replaceChildren(h('h1', {}, t('statistics')), err);
    return;
  }
  const table = (id, caption, rows) => h('table', { id }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, caption), h('th', { scope: 'col' }, t('count')))),
    h('tbody', {}, rows.map(([k, c]) => h('tr', {}, h('td', { 'data-label': caption }, k), h('td', { 'data-label': t('count') }, String(c))))));
  const exportErr = errorSlot('export-error');
  const done = h('p', { id: 'export-done', class: 'ok', role: 'status' });
  const button = h('button', { type: 'button', id: 'export' }, t('exportCsv'));
  button.addEventListener('click', () => busy(button, exportErr, async () => {
    const x = (await gql('query($r: String!){ exportChildren(regionCode: $r){ csv rows } }', { r: me.regionCode })).exportChildren;
    const link = h('a', { href: URL.createObjectURL(new Blob([x.csv], { type: 'text/csv;charset=utf-8' })), download: `children-${me.regionCode}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    done.textContent = t('exported', { n: x.rows });
  }));
  main.replaceChildren(
    h('h1', {}, `${t('statistics')} · ${s.region.name}`),
    h('p', { class: 'card' }, `${s.from} – ${s.to} · ${t('inScope')}：`, h('strong', { id: 'stats-in-scope' }, String(s.childrenInScope))),
    table('by-county', t('county'), s.childrenByCounty.map((c) => [counties.get(c.key) ?? s.region.name, c.count])),
    table('by-risk', t('riskLevel'), s.keyCareByRiskLevel.map((c) => [t(`risk.${c.key}`), c.count])),
    h('div', { class: 'card' }, button, exportErr, done));
}
