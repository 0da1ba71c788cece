// The live sales dashboard: one WebSocket to the hub, a snapshot then deltas per series, reconnecting
// by itself. Plain script on purpose: no build step, Chart.js comes from its WebJar at /assets/chart.js.
"use strict";

const SERIES = [
  "orders_per_minute", "revenue_per_minute", "avg_order_value_rolling", "active_users",
  "revenue_today", "top_products_last_hour", "orders_by_country", "alerts", "funnel_today",
];
const MINUTE = 60_000;
const money = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" });
const count = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
const $ = (id) => document.getElementById(id);

/** Per timeline series: window start (ms) → value, and the range it covers. */
const timelines = new Map();
let charts;
let socket;
let retryDelay = 1000;
let retryTimer;

function credentials() {
  return { project: localStorage.getItem("analytics.project"), key: localStorage.getItem("analytics.apiKey") };
}

function askForKey(message = "") {
  const { project } = credentials();
  $("project").value = project || "demo";
  $("api-key").value = "";
  $("login-error").textContent = message;
  if (!$("login").open) $("login").showModal();
}

$("login-form").addEventListener("submit", () => {
  localStorage.setItem("analytics.project", $("project").value.trim());
  localStorage.setItem("analytics.apiKey", $("api-key").value.trim());
  connect();
});
$("change-key").addEventListener("click", () => askForKey());

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

async function connect() {
  clearTimeout(retryTimer);
  if (socket) {
    socket.onclose = null;
    socket.close();
  }
  const { project, key } = credentials();
  if (!key) return askForKey();
  $("project-label").textContent = project ? `project ${project}` : "";
  // A WebSocket cannot report an HTTP status, so the key is checked first with a plain request.
  let check;
  try {
    check = await fetch("/api/v1/stream/stats", { headers: { "X-API-Key": key } });
  } catch (e) {
    return retry();
  }
  if (check.status === 401) return askForKey("That API key is not known to this server.");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  // batch=true: a tick's updates arrive in one message, which costs the server a fraction of one per series.
  socket = new WebSocket(`${scheme}://${location.host}/api/v1/stream/metrics?batch=true&api_key=${encodeURIComponent(key)}`);
  setStatus("connecting", "connecting…");
  socket.onopen = () => {
    retryDelay = 1000;
    socket.send(JSON.stringify({ subscribe: SERIES }));
    setStatus("live", "live");
  };
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = retry;
}

function retry() {
  setStatus("reconnecting", `reconnecting in ${Math.round(retryDelay / 1000)} s`);
  retryTimer = setTimeout(connect, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 15_000);
}

function receive(message) {
  if (message.type === "metrics_updates") return message.updates.forEach(update);
  if (message.type === "metrics_update") return update(message);
  if (message.type === "lagging") return setStatus("lagging", `catching up (${message.dropped_total} updates skipped)`);
  if (message.type === "subscribed") return checkProject(message.project);
  if (message.type === "error" && message.name === "funnel_today") {
    $("funnel").innerHTML = `<li class="muted">${escape(message.message)}</li>`;
    return;
  }
  if (message.type === "error") console.warn("hub:", message.message);
}

/** The key decides the project; say so when it is not the one the user typed. */
function checkProject(project) {
  const typed = credentials().project;
  $("project-label").textContent = typed && typed !== project
    ? `project ${project} (this key belongs to ${project}, not ${typed})`
    : `project ${project}`;
}

function update({ name, mode, data }) {
  if (data.series) applyTimeline(name, mode, data);
  const render = RENDERERS[name];
  if (render) render(data, name);
  if ($("status").dataset.state === "lagging") setStatus("live", "live");
}

/** A snapshot replaces the points; a delta upserts its points; points before start_time fall out. */
function applyTimeline(name, mode, data) {
  let timeline = timelines.get(name);
  if (!timeline || mode === "snapshot") {
    timeline = { points: new Map() };
    timelines.set(name, timeline);
  }
  timeline.start = Date.parse(data.start_time);
  timeline.end = Date.parse(data.end_time);
  timeline.summary = data.summary;
  for (const series of data.series) {
    for (const point of series.points) timeline.points.set(Date.parse(point.window_start), point.value);
  }
  for (const start of timeline.points.keys()) if (start < timeline.start) timeline.points.delete(start);
}

/** Every minute of the range, zero where no event happened (the hub omits empty windows). */
function minutes(name) {
  const timeline = timelines.get(name);
  const labels = [];
  const values = [];
  for (let t = timeline.start; t < timeline.end; t += MINUTE) {
    labels.push(new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
    values.push(timeline.points.get(t) ?? 0);
  }
  return { labels, values };
}

function redraw(chart, labels, values) {
  chart.data.labels = labels;
  chart.data.datasets[0].data = values;
  chart.update("none");
}

const RENDERERS = {
  orders_per_minute(data, name) {
    const { labels, values } = minutes(name);
    redraw(charts.orders, labels, values);
    $("orders-total").textContent = `${count.format(data.summary.total)} in the last hour`;
  },
  revenue_per_minute(data, name) {
    const { labels, values } = minutes(name);
    redraw(charts.revenue, labels, values);
    $("revenue-total").textContent = `${money.format(data.summary.total)} in the last hour`;
  },
  avg_order_value_rolling(data) {
    $("avg-order-value").textContent = data.summary.rolling_average ? money2.format(data.summary.rolling_average) : "–";
  },
  active_users(data) {
    $("active-users").textContent = count.format(data.summary.latest);
    $("active-users-window").textContent = `unique users, current ${data.window} window`;
  },
  revenue_today(data) {
    const revenue = data.summary.total;
    const target = data.target;
    redraw(charts.gauge, ["today", "to target"], [Math.min(revenue, target), Math.max(target - revenue, 0)]);
    $("revenue-today").textContent = money.format(revenue);
    $("revenue-target").textContent = `${Math.round((100 * revenue) / target)}% of the ${money.format(target)} target`;
  },
  top_products_last_hour(data) {
    const rows = data.entries.map((e) =>
      `<tr><td>${escape(e.key ?? "(none)")}</td><td class="num">${count.format(e.count)}</td>` +
      `<td class="num">${money2.format(e.value)}</td></tr>`);
    $("top-products").tBodies[0].innerHTML =
      rows.join("") || `<tr class="empty"><td colspan="3" class="muted">no orders yet</td></tr>`;
  },
  orders_by_country(data) {
    redraw(charts.country, data.entries.map((e) => e.key ?? "unknown"), data.entries.map((e) => e.value));
  },
  funnel_today(data) {
    const entered = data.steps[0].users;
    $("funnel").innerHTML = data.steps.map((s, i) =>
      `<li><div class="row"><span>${escape(s.step.replaceAll("_", " "))}</span>` +
      `<span><b class="users" data-users="${s.users}">${count.format(s.users)}</b>${i ? ` · ${percent.format(s.conversion)}` : ""}</span></div>` +
      `<div class="bar" style="width:${entered ? (100 * s.users) / entered : 0}%"></div></li>`).join("");
    const median = data.median_time_to_convert_s;
    $("funnel-summary").textContent = `${percent.format(data.overall_conversion)} convert within ${duration(data.conversion_window)}`
      + (median === null ? "" : `, median ${Math.round(median / 60)} min`);
  },
  alerts(data) {
    $("alerts").innerHTML = data.alerts.length
      ? data.alerts.map((a) => `<li class="alert">${escape(a.message)}</li>`).join("")
      : `<li class="muted">no alerts</li>`;
  },
};

/** "PT1H" → "1 h", "PT30M" → "30 min": the conversion windows the hub uses. */
function duration(iso) {
  const [, hours, minutes] = iso.match(/^PT(?:(\d+)H)?(?:(\d+)M)?/) ?? [];
  return [hours && `${hours} h`, minutes && `${minutes} min`].filter(Boolean).join(" ") || iso;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function createCharts() {
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  Chart.defaults.color = color("--muted");
  Chart.defaults.borderColor = color("--line");
  Chart.defaults.animation = false;
  const timeline = (canvas, label, fill) => new Chart($(canvas), {
    type: "bar",
    data: { labels: [], datasets: [{ label, data: [], backgroundColor: fill, borderRadius: 2 }] },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } }, y: { beginAtZero: true, ticks: { maxTicksLimit: 5 } } },
    },
  });
  return {
    orders: timeline("orders-chart", "orders", color("--accent")),
    revenue: timeline("revenue-chart", "revenue", color("--accent-2")),
    country: new Chart($("country-chart"), {
      type: "bar",
      data: { labels: [], datasets: [{ label: "orders", data: [], backgroundColor: color("--accent"), borderRadius: 2 }] },
      options: {
        indexAxis: "y", maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { maxTicksLimit: 5 } }, y: { ticks: { autoSkip: false } } },
      },
    }),
    gauge: new Chart($("revenue-gauge"), {
      type: "doughnut",
      data: { labels: ["today", "to target"], datasets: [{ data: [0, 1], backgroundColor: [color("--good"), color("--line")], borderWidth: 0 }] },
      options: { rotation: -90, circumference: 180, cutout: "70%", maintainAspectRatio: false, plugins: { legend: { display: false }, tooltip: { enabled: false } } },
    }),
  };
}

charts = createCharts();
connect();
