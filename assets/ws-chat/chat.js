// ws-chat's page: the browser's WebSocket API and the chat's JSON, nothing
// else (no library, nothing from the internet). Its words are in texts.js
// (`Texts.t`), in English or Chinese.
//
// Rule for this file: whatever another person typed (a nickname, a message,
// a reason from the server) is put on the page with `textContent`, never
// parsed as HTML, so `<img src=x onerror=alert(1)>` shows as those characters.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);

  // The chat lives on the same host and port as this page, at /ws; the
  // page's language goes with it, so that the server answers in it.
  function chatUrl() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    return scheme + location.host + '/ws?lang=' + encodeURIComponent(Texts.lang);
  }
  const t = Texts.t;

  // How long "alice is typing…" stays without news from alice, and how long
  // we wait after our last key press before saying we stopped.
  const TYPING_SHOWN_MS = 4000;
  const TYPING_IDLE_MS = 1500;
  // Reconnecting: 0.5 s, 1 s, 2 s, … up to 10 s between attempts.
  const RETRY_FIRST_MS = 500;
  const RETRY_MAX_MS = 10000;
  // Do not queue more than this in the browser when the network is slow.
  const MAX_BUFFERED = 1024 * 1024;

  let ws = null;
  let retries = 0;
  let wanted = null;        // the nickname we asked for (to log in again after a reconnect)
  let nickname = null;      // the nickname the server accepted, or null
  let typingSent = false;   // have we told the others we are typing?
  let typingIdle = null;    // timer: we stopped typing
  let switching = false;    // closing on purpose, to come back in another language
  const typists = new Map(); // nickname -> timer that forgets them

  // ── the connection ──────────────────────────────────────────────────────

  // ANCHOR: connect
  function connect() {
    setStatus(t('status.connecting'), false);
    // `new WebSocket(url)`: the browser sends the HTTP upgrade request.
    ws = new WebSocket(chatUrl());

    // `onopen`: the server answered 101; we may send now.
    ws.onopen = function () {
      retries = 0;
      setStatus(t('status.connected'), true);
      if (wanted !== null) {
        send({ type: 'login', nickname: wanted }); // after a reconnect: log in again by ourselves
      }
    };

    // `onmessage`: one text frame, one JSON message.
    ws.onmessage = function (event) {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return; // not from our server; nothing to show
      }
      handle(message);
    };

    // `onerror` says only that something failed; `onclose` always follows
    // and says more, so the reconnecting is done there.
    ws.onerror = function () {};

    // `onclose`: the server went away (restart: 1001), refused us (1009),
    // or the network broke (1006). Try again, waiting longer each time.
    ws.onclose = function (event) {
      clearTypists();
      typingSent = false;
      if (switching) {
        switching = false; // the language switch: back at once
        connect();
        return;
      }
      const why = event.reason ? event.code + ': ' + event.reason : String(event.code);
      const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, retries));
      retries += 1;
      setStatus(t('status.disconnected', { why: why, seconds: delay / 1000 }), false);
      setTimeout(connect, delay);
    };
  }
  // ANCHOR_END: connect

  // ANCHOR: send
  // `ws.send(text)`, only when the socket is open and not backed up.
  function send(message) {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      notice('error', t('not_connected'));
      return false;
    }
    // `bufferedAmount`: bytes handed to send() that have not left yet.
    if (ws.bufferedAmount > MAX_BUFFERED) {
      notice('error', t('slow'));
      return false;
    }
    ws.send(JSON.stringify(message));
    return true;
  }
  // ANCHOR_END: send

  // ── what the server says ────────────────────────────────────────────────

  function handle(message) {
    switch (message.type) {
      case 'login':
        if (message.success) {
          nickname = wanted;
          $('me').textContent = nickname;
          $('login-error').textContent = '';
          $('login').hidden = true;
          $('chat').hidden = false;
          notice('notice', message.message);
          $('message').focus();
        } else {
          nickname = null;
          $('me').textContent = t('not_logged_in');
          $('login-error').textContent = message.message;
          $('chat').hidden = true;
          $('login').hidden = false;
          $('nickname').focus();
        }
        break;
      case 'broadcast':
        forgetTypist(message.nickname);
        line('', message.nickname, message.message);
        break;
      case 'p2p':
        line('private', message.from + ' → ' + t('you'), message.message);
        break;
      case 'log':
        notice('notice', message.message);
        break;
      case 'users':
        showUsers(message.users);
        break;
      case 'typing':
        if (message.typing) {
          rememberTypist(message.nickname);
        } else {
          forgetTypist(message.nickname);
        }
        break;
      case 'error':
        notice('error', message.message);
        break;
      default:
        break; // a newer server may say more than we know
    }
  }

  // ── drawing (textContent only) ──────────────────────────────────────────

  // ANCHOR: line
  function line(kind, who, text) {
    const li = document.createElement('li');
    if (kind) li.className = kind;
    const nick = document.createElement('span');
    nick.className = 'nick';
    nick.textContent = who;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    li.append(nick, body);
    append(li);
  }
  // ANCHOR_END: line

  function notice(kind, text) {
    const li = document.createElement('li');
    li.className = kind;
    li.textContent = text;
    append(li);
  }

  function append(li) {
    const list = $('messages');
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.append(li);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function showUsers(users) {
    const list = $('users');
    list.replaceChildren();
    for (const user of users) {
      const li = document.createElement('li');
      li.textContent = user;
      if (nickname !== null && user.toLowerCase() === nickname.toLowerCase()) {
        li.className = 'me';
      } else {
        // A private message: click the name, the input gets "@name ".
        li.title = t('write_to', { name: user });
        li.addEventListener('click', function () {
          const input = $('message');
          input.value = '@' + user + ' ';
          input.focus();
        });
      }
      list.append(li);
    }
    $('count').textContent = String(users.length);
  }

  function setStatus(text, connected) {
    const status = $('status');
    status.textContent = text;
    status.classList.toggle('connected', connected);
  }

  // ── "alice is typing…" ──────────────────────────────────────────────────

  function rememberTypist(who) {
    clearTimeout(typists.get(who));
    typists.set(who, setTimeout(function () { forgetTypist(who); }, TYPING_SHOWN_MS));
    showTypists();
  }

  function forgetTypist(who) {
    if (!typists.has(who)) return;
    clearTimeout(typists.get(who));
    typists.delete(who);
    showTypists();
  }

  function clearTypists() {
    for (const timer of typists.values()) clearTimeout(timer);
    typists.clear();
    showTypists();
  }

  function showTypists() {
    const names = Array.from(typists.keys());
    let text = '';
    if (names.length === 1) text = t('typing.one', { names: names[0] });
    else if (names.length > 1) text = t('typing.many', { names: names.join(', ') });
    $('typing').textContent = text;
  }

  function typing(now) {
    if (now !== typingSent && nickname !== null && send({ type: 'typing', typing: now })) {
      typingSent = now;
    }
  }

  // ── what the user does ──────────────────────────────────────────────────

  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    wanted = $('nickname').value.trim();
    if (!send({ type: 'login', nickname: wanted })) {
      $('login-error').textContent = t('login.not_connected');
    }
  });

  // ANCHOR: user
  $('message').addEventListener('input', function () {
    clearTimeout(typingIdle);
    if ($('message').value.trim() === '') {
      typing(false);
      return;
    }
    typing(true);
    typingIdle = setTimeout(function () { typing(false); }, TYPING_IDLE_MS);
  });

  $('send-form').addEventListener('submit', function (event) {
    event.preventDefault();
    const input = $('message');
    const text = input.value.trim();
    if (text === '') return;
    clearTimeout(typingIdle);
    typing(false);
    // "@bob see you" is a private message to bob.
    const p2p = /^@(\S+)\s+([\s\S]+)$/.exec(text);
    if (p2p) {
      if (send({ type: 'p2p', to: p2p[1], message: p2p[2] })) {
        line('private mine', t('you') + ' → ' + p2p[1], p2p[2]);
        input.value = '';
      }
    } else if (send({ type: 'broadcast', message: text })) {
      // The server sends a broadcast to everyone but us (socket.broadcast.emit):
      // we show our own message at once.
      line('mine', nickname, text);
      input.value = '';
    }
  });
  // ANCHOR_END: user

  // ANCHOR: switch
  // The language switch. The page's own words change at once. The
  // server's are chosen when the WebSocket opens (?lang=), so we close it
  // and open a new one in the new language: the page logs in again by
  // itself (the others see us leave and come back).
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', function () {
      const changed = button.dataset.lang !== Texts.lang;
      Texts.choose(button.dataset.lang); // remembered, even if it was the one
      if (!changed) return;
      $('me').textContent = nickname !== null ? nickname : t('not_logged_in');
      showTypists();
      // (Still connecting counts: that connection asked in the old one.)
      if (ws && ws.readyState <= WebSocket.OPEN) {
        switching = true;
        ws.close(1000, 'language changed');
      }
    });
  }
  // ANCHOR_END: switch

  Texts.apply();
  $('me').textContent = t('not_logged_in');
  connect();
})();
