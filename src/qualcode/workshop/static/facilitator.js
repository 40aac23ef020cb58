// The facilitator's page: who is here, progress and the round, fetched again every few
// seconds (the server renders and escapes it; this only swaps it in).
const live = document.getElementById("live");
async function refresh() {
  try {
    const response = await fetch("/facilitator?part=live", { credentials: "same-origin" });
    if (response.status === 403) { window.location.assign("/signin"); return; }
    if (response.ok) live.innerHTML = await response.text();
  } catch (_) { /* the server is restarting: try again next time */ }
}
if (live) setInterval(refresh, 4000);
