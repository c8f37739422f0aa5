// Loaded by index.html as /js/main.js: the seed's assets/js/main.js.
// It proves the script arrived with a JavaScript Content-Type and ran.
const status = document.getElementById('script-status')
// The page says its language (index.html is English, index.zh-CN.html Chinese).
status.textContent = document.documentElement.lang.startsWith('zh')
  ? '脚本运行了：/js/main.js 是用 Rust 写的服务端发来的。'
  : 'The script ran: /js/main.js came from the Rust server.'
status.className = 'ran'
