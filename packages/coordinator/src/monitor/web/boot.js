// Starts the page once every view has registered (this file comes last).
$('nav').replaceChildren(...app.views.map((v) => v.tab));
for (const v of app.views) safely(() => v.mount?.(v.el));
$('token').value = token();
$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const t = $('token').value.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
  toast(t ? 'token set for this tab' : 'token cleared');
  app.stream?.abort();
  tick();
});
window.addEventListener('popstate', route);
window.addEventListener('hashchange', route);
route();
(async () => {
  for (;;) {
    await tick();
    await sleep(POLL_MS);
  }
})();
streamEvents();
