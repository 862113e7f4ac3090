// Chinese first: zh-CN unless the user switched to English (kept in localStorage).
const KEY = 'tongxin.console.lang';
const zh = {
  brand: '童心工作台', skip: '跳到正文', lang: '语言', signout: '退出', nav: '主导航',
  signin: '登录', email: '电子邮箱', password: '密码', signinTitle: '工作人员登录',
  queue: '待办队列', request: '申请', org: '本机构', verify: '机构审核',
  noRole: '此工作台没有为您的角色提供页面。',
  status: '状态', entitlement: '事项', county: '区县', overdue: '已超期', mine: '我认领的', all: '全部',
  deadline: '办理期限', daysLeft: '剩余工作日', open: '打开', nothing: '没有符合条件的申请。',
  liveNew: '队列已更新：有新的申请。', live: '实时更新已连接', liveOff: '实时更新已断开，正在重连…',
  claim: '认领', ask: '请家庭补充材料', askLabel: '需要补充的内容', resolve: '办结', granted: '同意', rejected: '不同意',
  reason: '理由（不同意时请写明依据的条款）', decision: '决定', comment: '添加备注', commentLabel: '备注内容', internal: '仅内部可见',
  history: '办理记录', details: '家庭填写的内容', eligibility: '提交时的资格判断', department: '部门', region: '地区',
  submitted: '提交时间', publicEv: '家庭可见', internalEv: '内部', back: '返回队列', done: '已保存。',
  transfer: '转办', transferTo: '转至部门', transferCounty: '转至区县', transferReason: '转办理由',
  myOrg: '本机构', orgStatus: '认证状态', services: '服务', sessions: '场次', newSession: '新建场次', service: '服务',
  startsAt: '开始时间（北京时间）', hours: '时长（小时）', capacity: '名额', seatsLeft: '剩余名额', create: '创建',
  bookings: '预约', booking: '预约', attended: '已到', noShow: '未到', waitlist: '候补第 {n} 位', show: '查看预约', none: '暂无。',
  pending: '待审核的机构', creditCode: '统一社会信用代码', address: '地址', approve: '通过认证', reject: '不予认证', rejectReason: '不予认证的理由',
  verified: '已认证',
  'status.ROUTED': '已分派', 'status.CLAIMED': '已认领', 'status.IN_PROGRESS': '办理中', 'status.NEEDS_INFO': '待补充材料',
  'status.RESOLVED_GRANTED': '已办结（同意）', 'status.RESOLVED_REJECTED': '已办结（不同意）', 'status.WITHDRAWN': '已撤回',
  'org.PENDING': '待审核', 'org.VERIFIED': '已认证', 'org.REJECTED': '未通过',
  'booking.CONFIRMED': '已确认', 'booking.WAITLISTED': '候补', 'booking.CANCELLED': '已取消', 'booking.ATTENDED': '已到场', 'booking.NO_SHOW': '未到场',
  'ev.submitted': '提交申请', 'ev.claimed': '认领', 'ev.asked_for_information': '请补充材料', 'ev.answered': '家庭已答复',
  'ev.resolved': '办结', 'ev.transferred': '转办', 'ev.comment': '备注', 'ev.withdrawn': '撤回', 'ev.escalated': '升级督办',
  sessionExpired: '登录已过期，请重新登录。',
  'outcome.ELIGIBLE': '符合条件', 'outcome.NOT_ELIGIBLE': '不符合条件', 'outcome.NEEDS_INFO': '需补充信息',
  ledger: '重点关爱台账', child: '儿童', riskLevel: '风险等级', reasons: '纳入原因', measures: '关爱措施', notAssessed: '未评估',
  dueVerifications: '到期待核实的记录', lastVerified: '上次核实', statistics: '统计', inScope: '在册流动儿童', exportCsv: '导出 CSV', exported: '已导出 {n} 条记录。',
  'measure.OPEN': '进行中', 'measure.DONE': '已完成', 'measure.WITHDRAWN': '已撤销',
  'risk.HIGH': '高', 'risk.MEDIUM': '中', 'risk.LOW': '低', 'risk.unassessed': '未评估',
  'reason.FAMILY_HARDSHIP': '家庭困难', 'reason.DISABILITY': '自身残疾', 'reason.GUARDIANSHIP_ABSENT': '监护缺失', 'reason.VAGRANCY': '流浪',
  'reason.PSYCHOLOGICAL_OR_BEHAVIOURAL': '心理、行为异常', 'reason.FAMILY_REQUEST': '家庭主动求助',
  stats: '队列统计', count: '数量', medianFirst: '首次响应中位数（小时）', medianDone: '办结中位数（小时）',
};
const en = {
  brand: 'Tongxin workbench', skip: 'Skip to content', lang: 'Language', signout: 'Sign out', nav: 'Main navigation',
  signin: 'Sign in', email: 'E-mail', password: 'Password', signinTitle: 'Staff sign-in',
  queue: 'Queue', request: 'Request', org: 'My organization', verify: 'Verify organizations',
  noRole: 'This workbench has no pages for your role.',
  status: 'Status', entitlement: 'Entitlement', county: 'County', overdue: 'Overdue', mine: 'Claimed by me', all: 'All',
  deadline: 'Deadline', daysLeft: 'Working days left', open: 'Open', nothing: 'No request matches.',
  liveNew: 'Queue updated: a new request arrived.', live: 'Live updates connected', liveOff: 'Live updates lost, reconnecting…',
  claim: 'Claim', ask: 'Ask the family for information', askLabel: 'What is missing', resolve: 'Resolve', granted: 'Granted', rejected: 'Rejected',
  reason: 'Reason (for a rejection, cite the rule)', decision: 'Decision', comment: 'Add comment', commentLabel: 'Comment', internal: 'Internal only',
  history: 'History', details: 'What the family wrote', eligibility: 'Eligibility at submission', department: 'Department', region: 'Region',
  submitted: 'Submitted', publicEv: 'Visible to family', internalEv: 'Internal', back: 'Back to queue', done: 'Saved.',
  transfer: 'Transfer', transferTo: 'To department', transferCounty: 'To county', transferReason: 'Reason for the transfer',
  myOrg: 'My organization', orgStatus: 'Verification', services: 'Services', sessions: 'Sessions', newSession: 'New session', service: 'Service',
  startsAt: 'Starts (Beijing time)', hours: 'Length (hours)', capacity: 'Seats', seatsLeft: 'Seats left', create: 'Create',
  bookings: 'Bookings', booking: 'Booking', attended: 'Attended', noShow: 'No-show', waitlist: 'Waiting list #{n}', show: 'Show bookings', none: 'None yet.',
  pending: 'Organizations to verify', creditCode: 'Unified social credit code', address: 'Address', approve: 'Verify', reject: 'Reject', rejectReason: 'Reason for rejecting',
  verified: 'Verified',
  'status.ROUTED': 'Routed', 'status.CLAIMED': 'Claimed', 'status.IN_PROGRESS': 'In progress', 'status.NEEDS_INFO': 'Needs information',
  'status.RESOLVED_GRANTED': 'Granted', 'status.RESOLVED_REJECTED': 'Rejected', 'status.WITHDRAWN': 'Withdrawn',
  'org.PENDING': 'Pending', 'org.VERIFIED': 'Verified', 'org.REJECTED': 'Rejected',
  'booking.CONFIRMED': 'Confirmed', 'booking.WAITLISTED': 'Waiting list', 'booking.CANCELLED': 'Cancelled', 'booking.ATTENDED': 'Attended', 'booking.NO_SHOW': 'No-show',
  'ev.submitted': 'Submitted', 'ev.claimed': 'Claimed', 'ev.asked_for_information': 'Asked for information', 'ev.answered': 'Family answered',
  'ev.resolved': 'Resolved', 'ev.transferred': 'Transferred', 'ev.comment': 'Comment', 'ev.withdrawn': 'Withdrawn', 'ev.escalated': 'Escalated',
  sessionExpired: 'Your session expired; please sign in again.',
  'outcome.ELIGIBLE': 'Eligible', 'outcome.NOT_ELIGIBLE': 'Not eligible', 'outcome.NEEDS_INFO': 'Needs information',
  ledger: 'Key-care ledger', child: 'Child', riskLevel: 'Risk level', reasons: 'Reasons', measures: 'Care measures', notAssessed: 'Not assessed',
  dueVerifications: 'Records due for verification', lastVerified: 'Last verified', statistics: 'Statistics', inScope: 'Migrant children in scope', exportCsv: 'Export CSV', exported: '{n} records exported.',
  'measure.OPEN': 'Open', 'measure.DONE': 'Done', 'measure.WITHDRAWN': 'Withdrawn',
  'risk.HIGH': 'High', 'risk.MEDIUM': 'Medium', 'risk.LOW': 'Low', 'risk.unassessed': 'Not assessed',
  'reason.FAMILY_HARDSHIP': 'Family hardship', 'reason.DISABILITY': 'Disability', 'reason.GUARDIANSHIP_ABSENT': 'Guardianship absent', 'reason.VAGRANCY': 'Vagrancy',
  'reason.PSYCHOLOGICAL_OR_BEHAVIOURAL': 'Psychological or behavioural', 'reason.FAMILY_REQUEST': 'Family request',
  stats: 'Queue statistics', count: 'Count', medianFirst: 'Median first response (hours)', medianDone: 'Median resolution (hours)',
};

export function lang() {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

export function setLang(l) {
  localStorage.setItem(KEY, l === 'en' ? 'en' : 'zh-CN');
}

/** The text for `key` in the current language; `{n}` placeholders from `vars`. */
export function t(key, vars = {}) {
  const dict = lang() === 'en' ? en : zh;
  const text = dict[key] ?? zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

const shanghai = () => new Intl.DateTimeFormat(lang(), {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

/** A UTC timestamp shown in Asia/Shanghai, whatever the browser's zone. */
export function when(iso) {
  return iso ? shanghai().format(new Date(iso)) : '—';
}
