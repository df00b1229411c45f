// Small DOM helpers. Text always goes in as text (never as HTML): what a
// handler logs or returns is shown, not interpreted.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// A time in the browser's time zone.
export function time(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return date.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

export function timeElement(iso) {
  return iso ? h("time", { datetime: iso, title: iso }, time(iso)) : "";
}

export function ms(value) {
  if (value === undefined || value === null) return "";
  if (value < 1) return `${(value * 1000).toFixed(0)} µs`;
  if (value < 1000) return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

export function percent(value) {
  return value === undefined || value === null ? "–" : `${(value * 100).toFixed(1)} %`;
}

export function status(value) {
  return h("span", { class: `status status-${String(value).toLowerCase()}` }, value);
}

export function json(value) {
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

// A message at the top of the page that screen readers announce.
export function flash(message, kind = "info") {
  const area = document.getElementById("flash");
  if (!area) return;
  replace(area, h("div", { class: `flash flash-${kind}`, role: kind === "error" ? "alert" : "status" }, message));
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => area.replaceChildren(), kind === "error" ? 10000 : 4000);
}

export function errorText(error) {
  if (!error) return "";
  const where = error.cause?.line ? ` (line ${error.cause.line}${error.cause.column ? `, column ${error.cause.column}` : ""})` : "";
  return `${error.error ? `${error.error}: ` : ""}${error.message}${where}`;
}

export function table(columns, rows, { caption, empty = "Nothing yet." } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
      h(
        "tbody",
        {},
        rows.map((row) => h("tr", {}, columns.map((c) => h("td", { "data-label": c.label }, c.cell(row))))),
      ),
    ),
  );
}

export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("small", {}, hint) : null);
}

export function select(options, value, attrs = {}) {
  return h(
    "select",
    attrs,
    options.map(([v, label]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, label)),
  );
}

export function setOptions(selectElement, options, value) {
  selectElement.replaceChildren(
    ...options.map(([v, label]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, label)),
  );
}

export const STATUSES = ["QUEUED", "RUNNING", "RETRYING", "SUCCEEDED", "FAILED"];

// A select of statuses, with "any" first.
export function statusSelect(value) {
  return select([["", "Any status"], ...STATUSES.map((s) => [s, s])], value, { name: "status" });
}

// A select of the application's functions, with "all" first.
export function functionSelect(functions, value) {
  return select([["", "All functions"], ...functions.map((f) => [f.id, f.name])], value, { name: "functionId" });
}

// A filter form: `fields` are [label, control] with named controls. Apply
// puts the values in `route`'s query (datetime inputs as ISO times), so a
// filtered view can be shared and reloaded.
export function filterForm(route, navigate, fields) {
  return h(
    "form",
    {
      class: "inline-form filters",
      "aria-label": "Filters",
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        for (const [, control] of fields) {
          let value = control.value;
          if (value && control.type === "datetime-local") value = new Date(value).toISOString();
          if (value) next.set(control.name, value);
        }
        const text = next.toString();
        navigate(text ? `${route}?${text}` : route);
      },
    },
    fields.map(([label, control]) => field(label, control)),
    h("button", { type: "submit" }, "Apply"),
  );
}

export function button(label, onclick, attrs = {}) {
  return h("button", { type: "button", onclick, ...attrs }, label);
}

// Runs `action` with the button disabled, showing a failure as a flash.
export async function busy(buttonElement, action) {
  buttonElement.disabled = true;
  buttonElement.setAttribute("aria-busy", "true");
  try {
    return await action();
  } catch (error) {
    flash(errorText(error), "error");
    return undefined;
  } finally {
    buttonElement.disabled = false;
    buttonElement.removeAttribute("aria-busy");
  }
}

export function link(href, ...children) {
  return h("a", { href }, ...children);
}
