// Loaded by index.html as /js/main.js: the seed's assets/js/main.js.
// It proves the script arrived with a JavaScript Content-Type and ran.
const status = document.getElementById('script-status')
status.textContent = 'The script ran: /js/main.js came from the Rust server.'
status.className = 'ran'
