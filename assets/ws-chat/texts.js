// ws-chat's page in two languages: its own words (labels, buttons, status),
// which language it speaks, and the switch that changes it.
//
// The page's language is the one chosen with the switch (remembered in
// localStorage), else the first of the browser's languages
// (navigator.languages) that is Chinese or English, else English. What the
// server says (login answers, "bob joined", errors) comes from the server,
// in the language the page asks for on its WebSocket URL: /ws?lang=zh-CN.
'use strict';

const Texts = (function () {
  const WORDS = {
    'en': {
      'status.connecting': 'connecting…',
      'status.connected': 'connected',
      'status.disconnected': 'disconnected ({why}), reconnecting in {seconds} s…',
      'login.label': 'Choose a nickname',
      'login.join': 'Join',
      'login.not_connected': 'not connected yet: the page logs you in when it connects',
      'message.placeholder': 'Message everyone, or @name text for one person',
      'send': 'Send',
      'online': 'Online',
      'hint': 'Click a name to write to that person only.',
      'you_are': 'You are ',
      'not_logged_in': 'not logged in',
      'echo_link': "the seed's echo test",
      'write_to': 'write to {name} privately',
      'typing.one': '{names} is typing…',
      'typing.many': '{names} are typing…',
      'you': 'you',
      'not_connected': 'not connected: wait for the connection to come back',
      'slow': 'the connection is slow: wait a moment before sending more',
    },
    'zh-CN': {
      'status.connecting': '正在连接…',
      'status.connected': '已连接',
      'status.disconnected': '连接断开了（{why}），{seconds} 秒后重连…',
      'login.label': '取一个昵称',
      'login.join': '进入聊天室',
      'login.not_connected': '还没连上服务端：连上之后页面会自动帮你登录',
      'message.placeholder': '发给所有人；写成“@昵称 内容”就是私聊',
      'send': '发送',
      'online': '在线',
      'hint': '点一下某个名字，就是只发给这个人（私聊）。',
      'you_are': '当前身份：',
      'not_logged_in': '还没登录',
      'echo_link': '原教程的回显测试',
      'write_to': '私聊 {name}',
      'typing.one': '{names} 正在输入…',
      'typing.many': '{names} 正在输入…',
      'you': '你',
      'not_connected': '没有连上服务端：请等连接恢复',
      'slow': '网络有点慢：请稍等一下再发',
    },
  };
  const REMEMBERED = 'ws-chat.lang';

  // 'zh-CN', 'zh-TW', 'zh' → 'zh-CN'; 'en-US', 'en' → 'en'; others: null.
  function ours(tag) {
    const lower = String(tag || '').toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
    return null;
  }

  function chosen() {
    let remembered = null;
    try {
      remembered = localStorage.getItem(REMEMBERED);
    } catch (e) {
      // Storage may be off (private windows, file://): the browser's then.
    }
    if (ours(remembered)) return ours(remembered);
    for (const tag of navigator.languages || [navigator.language]) {
      if (ours(tag)) return ours(tag);
    }
    return 'en';
  }

  let lang = chosen();

  // A text in the page's language, with {name} filled in. The result is
  // always put on the page with textContent, never as HTML.
  function t(key, values) {
    let text = WORDS[lang][key] || WORDS.en[key] || key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split('{' + name + '}').join(String(value));
    }
    return text;
  }

  // Puts the page's fixed words in the language: every element with
  // data-text="key" (its text) or data-placeholder="key" (its placeholder).
  function apply() {
    document.documentElement.lang = lang;
    for (const element of document.querySelectorAll('[data-text]')) {
      element.textContent = t(element.dataset.text);
    }
    for (const element of document.querySelectorAll('[data-placeholder]')) {
      element.placeholder = t(element.dataset.placeholder);
    }
    for (const button of document.querySelectorAll('[data-lang]')) {
      button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    }
  }

  // The switch: a new language, remembered for the next visit.
  function choose(next) {
    lang = ours(next) || 'en';
    try {
      localStorage.setItem(REMEMBERED, lang);
    } catch (e) {
      // Not remembered, but used for this visit.
    }
    apply();
  }

  return {
    get lang() { return lang; },
    t: t,
    apply: apply,
    choose: choose,
  };
})();
