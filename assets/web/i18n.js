// Every string the two pages show, in Chinese (the show's language) and
// English, plus the 中/EN switch. The choice is kept in localStorage so that
// both pages open in the language last picked.
//
// Static text in the HTML is marked with data-i18n="key" (textContent),
// data-i18n-placeholder, data-i18n-title and data-i18n-aria-label; dynamic
// text calls t(key, {name: value}). Values are inserted as text, never HTML.

const STORAGE_KEY = 'yst.lang';

const zh = {
  // Shared.
  'lang.toggle': '切换语言 / Switch language',
  'conn.connecting': '正在连接…',
  'conn.open': '已连接',
  'conn.closed': '连接已断开，正在重连…',
  'anonymous': '网友',
  'category.question': '提问',
  'category.suggestion': '建议',
  'category.complaint': '投诉',
  'observer.badge': '市民观察员 · {name}',

  // Viewer page.
  'viewer.doc_title': '温网议事厅 · 网络直播',
  'viewer.title_default': '温网议事厅',
  'viewer.host': '主持人',
  'viewer.guests': '嘉宾',
  'viewer.live': '直播中',
  'viewer.not_live': '未开播',
  'video.soon': '直播即将开始',
  'video.unsupported': '当前浏览器无法播放直播，请换用其他浏览器',
  'video.label': '直播画面',
  'onair.heading': '正在回答',
  'onair.none': '暂时没有正在回答的问题',
  'form.heading': '我要提问',
  'form.nickname': '昵称（可选）',
  'form.nickname_placeholder': '网友',
  'form.category': '类别',
  'form.text': '您的问题',
  'form.text_placeholder': '请输入您想向嘉宾提的问题、建议或投诉…',
  'form.submit': '提交',
  'form.sending': '提交中…',
  'form.received': '已收到，等待审核',
  'form.hint': '提问经导播审核后公开，请勿填写身份证号、电话等个人信息。',
  'error.rate_limited': '提问太频繁，请 {n} 秒后再试',
  'error.rate_limited_plain': '操作太频繁，请稍后再试',
  'error.too_long': '内容太长：问题最多 {max} 字，昵称最多 {nick} 字',
  'error.empty': '请先输入问题内容',
  'error.busy': '系统繁忙，没有保存，请稍后再试',
  'error.bad_message': '提交的内容格式有误，请刷新页面后再试',
  'error.forbidden': '没有权限进行此操作',
  'error.not_found': '该问题已不在公开列表中',
  'error.already_voted': '您已经赞过这个问题',
  'error.invalid': '请求无效',
  'error.unknown': '出错了（{code}）',
  'error.offline': '连接已断开，正在重连…',
  'mine.heading': '我的提问',
  'mine.empty': '您还没有提问。',
  'mine.merged_into': '已与问题 #{id} 合并',
  'public.heading': '网友提问',
  'public.empty': '还没有通过审核的提问。',
  'public.vote': '赞同这个问题',
  'public.voted': '已赞同',
  'status.pending': '已收到',
  'status.approved': '已通过',
  'status.on_air': '正在回答',
  'status.answered': '已回答',
  'status.rejected': '未采纳',
  'status.merged': '已合并',
  'observer.invalid': '观察员邀请无效，您将以普通网友身份参与',

  // Producer console.
  'producer.doc_title': '导播台 · 网友提问审核',
  'producer.heading': '网友提问审核',
  'login.heading': '导播登录',
  'login.token': '导播口令',
  'login.name': '导播名（可选）',
  'login.name_placeholder': '例如：小李',
  'login.submit': '登录',
  'login.forbidden': '口令错误，请重新输入',
  'login.waiting': '正在登录…',
  'logout': '退出登录',
  'producer.user': '导播：{name}',
  'producer.user_anonymous': '导播',
  'count.pending': '待审',
  'count.approved': '已通过',
  'count.on_air': '上屏',
  'count.answered': '已回答',
  'count.rejected': '已拒绝',
  'count.merged': '已合并',
  'column.pending': '待审',
  'column.pending_note': '最早的在上，最新的在下',
  'column.approved': '已通过队列',
  'column.approved_note': '拖动或 Alt+↑/↓ 调整顺序',
  'column.on_air': '正在回答',
  'column.recent': '最近已回答 / 已拒绝',
  'column.empty': '暂无',
  'onair.empty': '当前没有上屏的问题',
  'undo': '撤销',
  'undo.done': '已撤销：{action}',
  'help': '快捷键：j/k 或 ↑/↓ 选择 · A 通过 · R 拒绝 · E 编辑 · M 合并 · O 上屏 · F 下屏 · D 已回答 · Alt+↑/↓ 调整队列 · U 或 Ctrl+Z 撤销 · Esc 取消',
  'card.edited': '已编辑',
  'card.original': '原文：{text}',
  'card.show_original': '查看原文',
  'card.sensitive': '⚠ 敏感词：{words}',
  'card.duplicate': '疑似重复 #{id}',
  'card.merge_into_dup': '合并到 #{id}',
  'card.merged_into': '已合并到 #{id}',
  'card.reject_reason': '拒绝原因：{reason}',
  'card.votes': '{n} 人赞同',
  'card.position': '第 {n} 位',
  'action.approve': '通过',
  'action.edit': '编辑',
  'action.reject': '拒绝',
  'action.merge': '合并',
  'action.on_air': '上屏',
  'action.off_air': '下屏',
  'action.answered': '已回答',
  'action.save': '保存',
  'action.cancel': '取消',
  'action.confirm_reject': '确认拒绝',
  'action.confirm_merge': '确认合并',
  'edit.hint': 'Ctrl+Enter 保存 · Esc 取消',
  'merge.into': '合并到问题编号',
  'reject.reason': '拒绝原因',
  'reason.off_topic': '离题',
  'reason.duplicate': '重复',
  'reason.abusive': '不当言论',
  'reason.personal_info': '涉及个人信息',
  'reason.spam': '广告/灌水',
  'reason.other': '其他',
  'producer.error': '操作失败：{message}',
  'producer.error.invalid': '当前状态下不能这样操作',
  'producer.error.not_found': '找不到该问题',
  'producer.error.forbidden': '没有导播权限，请重新登录',
  'producer.error.too_long': '内容太长（最多 {max} 字）',
  'producer.error.empty': '内容不能为空',
  'producer.error.busy': '数据库繁忙，没有保存，请重试',
  'producer.error.rate_limited': '操作太频繁，请稍后再试',
  'producer.error.bad_message': '请求格式有误',
  'producer.merge_bad_target': '请输入另一个问题的编号',
  'action_name.approve': '通过',
  'action_name.reject': '拒绝',
  'action_name.edit': '编辑',
  'action_name.merge': '合并',
  'action_name.on_air': '上屏',
  'action_name.off_air': '下屏',
  'action_name.answered': '已回答',
  'action_name.move': '调整顺序',
  'action_name.undo': '撤销',
  'action_name.submit': '新提问',
  'action_name.vote': '赞同',

  // Producer console: broadcast graphics.
  'graphics.heading': '节目包装',
  'graphics.lower_thirds': '字幕条',
  'graphics.no_people': '节目单里没有人物',
  'graphics.left': '左',
  'graphics.right': '右',
  'graphics.lt_left': '{name}：左侧字幕条',
  'graphics.lt_right': '{name}：右侧字幕条',
  'graphics.lt_automatic': '{name}：切换机位时自动弹出的字幕条',
  'graphics.elements': '元素',
  'graphics.card': '问题卡',
  'graphics.card_none': '当前没有上屏的问题',
  'graphics.bug': '台标',
  'graphics.clock': '时钟',
  'graphics.qr': '二维码',
  'graphics.ticker': '滚动字幕',
  'graphics.ticker_placeholder': '滚动字幕内容（最多 200 字）',
  'graphics.ticker_on': '上屏',
  'graphics.ticker_update': '更新',
  'graphics.ticker_off': '下屏',
  'graphics.slate': '全屏垫片',
  'graphics.slate_none': '无',
  'graphics.slate_starting': '节目即将开始',
  'graphics.slate_minutes': '分钟',
  'graphics.slate_minutes_label': '倒计时（分钟）',
  'graphics.slate_hold': '稍后回来',
  'graphics.slate_remaining': '倒计时 {time}',
  'graphics.silenced': '节目已静音',
  'graphics.theme': '主题',
  'graphics.clear': '清除全部包装',
  'graphics.clear_title': '撤下除垫片以外的全部包装',
  'graphics.error.not_found': '找不到该人物或主题，或当前没有上屏的问题',
  'graphics.error.invalid': '包装指令无效',
  'graphics.error.too_long': '文字太长',
  'graphics.error.empty': '文字不能为空',
};

const en = {
  'lang.toggle': 'Switch language / 切换语言',
  'conn.connecting': 'Connecting…',
  'conn.open': 'Connected',
  'conn.closed': 'Disconnected, reconnecting…',
  'anonymous': 'Anonymous',
  'category.question': 'Question',
  'category.suggestion': 'Suggestion',
  'category.complaint': 'Complaint',
  'observer.badge': 'Citizen observer · {name}',

  'viewer.doc_title': 'Wenzhou Town Hall · Live',
  'viewer.title_default': 'Wenzhou Town Hall',
  'viewer.host': 'Host',
  'viewer.guests': 'Guests',
  'viewer.live': 'LIVE',
  'viewer.not_live': 'Off air',
  'video.soon': 'The live stream will start soon',
  'video.unsupported': 'This browser cannot play the live stream; please try another browser',
  'video.label': 'Live video',
  'onair.heading': 'Now answering',
  'onair.none': 'No question is being answered right now',
  'form.heading': 'Ask a question',
  'form.nickname': 'Nickname (optional)',
  'form.nickname_placeholder': 'Anonymous',
  'form.category': 'Category',
  'form.text': 'Your question',
  'form.text_placeholder': 'Type your question, suggestion or complaint for the guest…',
  'form.submit': 'Send',
  'form.sending': 'Sending…',
  'form.received': 'Received, awaiting moderation',
  'form.hint': 'Questions are published after moderation. Do not include ID numbers, phone numbers or other personal data.',
  'error.rate_limited': 'Too many questions; please try again in {n} s',
  'error.rate_limited_plain': 'Too many requests; please try again later',
  'error.too_long': 'Too long: at most {max} characters for a question and {nick} for a nickname',
  'error.empty': 'Please type your question first',
  'error.busy': 'The system is busy and nothing was saved; please try again',
  'error.bad_message': 'The request was malformed; please reload the page and try again',
  'error.forbidden': 'Not allowed',
  'error.not_found': 'That question is no longer public',
  'error.already_voted': 'You have already up-voted this question',
  'error.invalid': 'Invalid request',
  'error.unknown': 'Something went wrong ({code})',
  'error.offline': 'Disconnected, reconnecting…',
  'mine.heading': 'My questions',
  'mine.empty': 'You have not asked anything yet.',
  'mine.merged_into': 'Merged with question #{id}',
  'public.heading': 'Audience questions',
  'public.empty': 'No approved questions yet.',
  'public.vote': 'Up-vote this question',
  'public.voted': 'Up-voted',
  'status.pending': 'received',
  'status.approved': 'approved',
  'status.on_air': 'on air',
  'status.answered': 'answered',
  'status.rejected': 'not taken',
  'status.merged': 'merged',
  'observer.invalid': 'Invalid observer invitation; you are taking part as an ordinary viewer',

  'producer.doc_title': 'Producer · Audience questions',
  'producer.heading': 'Audience questions',
  'login.heading': 'Producer login',
  'login.token': 'Producer token',
  'login.name': 'Your name (optional)',
  'login.name_placeholder': 'e.g. Li',
  'login.submit': 'Log in',
  'login.forbidden': 'Wrong token; please try again',
  'login.waiting': 'Logging in…',
  'logout': 'Log out',
  'producer.user': 'Producer: {name}',
  'producer.user_anonymous': 'Producer',
  'count.pending': 'Pending',
  'count.approved': 'Approved',
  'count.on_air': 'On air',
  'count.answered': 'Answered',
  'count.rejected': 'Rejected',
  'count.merged': 'Merged',
  'column.pending': 'Pending',
  'column.pending_note': 'Oldest at the top, newest at the bottom',
  'column.approved': 'Approved queue',
  'column.approved_note': 'Drag or Alt+↑/↓ to reorder',
  'column.on_air': 'On air',
  'column.recent': 'Recently answered / rejected',
  'column.empty': 'None',
  'onair.empty': 'No question on air',
  'undo': 'Undo',
  'undo.done': 'Undone: {action}',
  'help': 'Keys: j/k or ↑/↓ select · A approve · R reject · E edit · M merge · O on air · F off air · D answered · Alt+↑/↓ reorder · U or Ctrl+Z undo · Esc cancel',
  'card.edited': 'edited',
  'card.original': 'Original: {text}',
  'card.show_original': 'Show original',
  'card.sensitive': '⚠ Sensitive words: {words}',
  'card.duplicate': 'Possible duplicate of #{id}',
  'card.merge_into_dup': 'Merge into #{id}',
  'card.merged_into': 'Merged into #{id}',
  'card.reject_reason': 'Rejected: {reason}',
  'card.votes': '{n} up-votes',
  'card.position': 'No. {n}',
  'action.approve': 'Approve',
  'action.edit': 'Edit',
  'action.reject': 'Reject',
  'action.merge': 'Merge',
  'action.on_air': 'On air',
  'action.off_air': 'Off air',
  'action.answered': 'Answered',
  'action.save': 'Save',
  'action.cancel': 'Cancel',
  'action.confirm_reject': 'Reject',
  'action.confirm_merge': 'Merge',
  'edit.hint': 'Ctrl+Enter saves · Esc cancels',
  'merge.into': 'Merge into question no.',
  'reject.reason': 'Reason',
  'reason.off_topic': 'Off topic',
  'reason.duplicate': 'Duplicate',
  'reason.abusive': 'Abusive',
  'reason.personal_info': 'Personal information',
  'reason.spam': 'Spam',
  'reason.other': 'Other',
  'producer.error': 'Failed: {message}',
  'producer.error.invalid': 'Not possible in the question\'s current state',
  'producer.error.not_found': 'No such question',
  'producer.error.forbidden': 'Not logged in as a producer; please log in again',
  'producer.error.too_long': 'Too long (at most {max} characters)',
  'producer.error.empty': 'The text must not be empty',
  'producer.error.busy': 'The database is busy and nothing was saved; try again',
  'producer.error.rate_limited': 'Too many requests; try again shortly',
  'producer.error.bad_message': 'Malformed request',
  'producer.merge_bad_target': 'Enter the number of another question',
  'action_name.approve': 'approve',
  'action_name.reject': 'reject',
  'action_name.edit': 'edit',
  'action_name.merge': 'merge',
  'action_name.on_air': 'on air',
  'action_name.off_air': 'off air',
  'action_name.answered': 'answered',
  'action_name.move': 'reorder',
  'action_name.undo': 'undo',
  'action_name.submit': 'new question',
  'action_name.vote': 'up-vote',

  'graphics.heading': 'Graphics',
  'graphics.lower_thirds': 'Lower thirds',
  'graphics.no_people': 'No people in the show file',
  'graphics.left': 'L',
  'graphics.right': 'R',
  'graphics.lt_left': '{name}: lower third on the left',
  'graphics.lt_right': '{name}: lower third on the right',
  'graphics.lt_automatic': '{name}: shown automatically with the camera',
  'graphics.elements': 'Elements',
  'graphics.card': 'Question card',
  'graphics.card_none': 'No question on air',
  'graphics.bug': 'Logo',
  'graphics.clock': 'Clock',
  'graphics.qr': 'QR code',
  'graphics.ticker': 'Ticker',
  'graphics.ticker_placeholder': 'Ticker text (at most 200 characters)',
  'graphics.ticker_on': 'On air',
  'graphics.ticker_update': 'Update',
  'graphics.ticker_off': 'Off air',
  'graphics.slate': 'Slate',
  'graphics.slate_none': 'None',
  'graphics.slate_starting': 'Starting soon',
  'graphics.slate_minutes': 'min',
  'graphics.slate_minutes_label': 'Countdown (minutes)',
  'graphics.slate_hold': 'Be right back',
  'graphics.slate_remaining': 'Starts in {time}',
  'graphics.silenced': 'Program muted',
  'graphics.theme': 'Theme',
  'graphics.clear': 'Clear graphics',
  'graphics.clear_title': 'Takes every graphic but the slate off air',
  'graphics.error.not_found': 'No such person or theme, or no question on air',
  'graphics.error.invalid': 'Invalid graphics command',
  'graphics.error.too_long': 'The text is too long',
  'graphics.error.empty': 'The text must not be empty',
};

export const dictionaries = { zh, en };

const listeners = new Set();

function storedLang() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'en' || value === 'zh' ? value : null;
  } catch {
    return null; // Storage can be disabled; Chinese is the default then.
  }
}

let current = storedLang() || 'zh';

export function lang() {
  return current;
}

// t('error.rate_limited', {n: 8}) → '提问太频繁，请 8 秒后再试'. A missing key
// falls back to Chinese, then to the key itself, so a gap shows up visibly.
export function t(key, vars) {
  const text = dictionaries[current][key] ?? zh[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole);
}

// Fills every element under root that carries a data-i18n* attribute.
export function applyStatic(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) {
    node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder));
  }
  for (const node of root.querySelectorAll('[data-i18n-title]')) {
    node.setAttribute('title', t(node.dataset.i18nTitle));
  }
  for (const node of root.querySelectorAll('[data-i18n-aria-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  }
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
}

export function setLang(next) {
  if (next !== 'zh' && next !== 'en') return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered; the page still switches.
  }
  applyStatic();
  for (const listener of listeners) listener(next);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

// Wires a 中/EN button: two spans, data-lang="zh" and data-lang="en"; the
// active one gets the class "active".
export function mountLangToggle(button) {
  const sync = () => {
    for (const span of button.querySelectorAll('[data-lang]')) {
      span.classList.toggle('active', span.dataset.lang === current);
    }
    button.setAttribute('aria-pressed', current === 'en' ? 'true' : 'false');
  };
  button.addEventListener('click', () => setLang(current === 'zh' ? 'en' : 'zh'));
  onLangChange(sync);
  sync();
}
