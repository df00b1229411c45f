// The API client: one key, JSON in and out, errors as ApiError.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.error = body?.error || "Error";
    this.explanation = body?.explanation;
    this.cause = body?.cause;
  }
}

export class Api {
  constructor(key) {
    this.key = key;
  }

  headers(extra = {}) {
    return { Authorization: `Bearer ${this.key}`, ...extra };
  }

  async request(method, path, body) {
    const init = { method, headers: this.headers() };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { message: text };
      }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  get(path, query) {
    return this.request("GET", withQuery(path, query));
  }
  post(path, body) {
    return this.request("POST", path, body);
  }
  put(path, body) {
    return this.request("PUT", path, body);
  }
  patch(path, body) {
    return this.request("PATCH", path, body);
  }

  // Every item of a paged list (pages of 100), the items under
  // `_embedded[key]`.
  async all(path, key, query = {}) {
    const all = [];
    for (let page = 0; ; page++) {
      const data = await this.get(path, { ...query, page, size: 100 });
      all.push(...(data._embedded?.[key] || []));
      if (page + 1 >= data.page.totalPages) return all;
    }
  }

  // Every function of the application.
  functions() {
    return this.all("/v1/runtimes/nodejs/functions", "functions");
  }

  // Every version of a function, newest first.
  versions(functionId) {
    return this.all(`/v1/functions/${functionId}/versions`, "versions", { sort: "versionNumber,desc" });
  }

  // The sample event of each trigger type, from the API document.
  async sampleEvents() {
    if (!this.samples) {
      const doc = await fetch("/v1/openapi.json").then((r) => r.json());
      this.samples = {};
      for (const [path, item] of Object.entries(doc.paths)) {
        const name = path.startsWith("/v1/triggers/") && path.slice("/v1/triggers/".length);
        const example = item.post?.requestBody?.content?.["application/json"]?.example;
        if (name && example) this.samples[name] = example;
      }
    }
    return this.samples;
  }
}

export function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

// Reads a Server-Sent Events stream. EventSource cannot send an
// Authorization header (and a key in the URL would end up in logs), so the
// stream is read with fetch; `Last-Event-ID` resumes it after a reconnect.
// Calls onEvent({event, id, data}) per event; returns when the stream ends
// or `signal` aborts.
export async function readEvents(api, path, { lastEventId, signal, onEvent, onOpen }) {
  const headers = api.headers({ Accept: "text/event-stream" });
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  const response = await fetch(path, { headers, signal });
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    throw new ApiError(response.status, body);
  }
  onOpen?.();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = { event: "message", id: null, data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (event.data.length) onEvent({ event: event.event, id: event.id, data: event.data.join("\n") });
        event = { event: "message", id: event.id, data: [] };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let text = colon < 0 ? "" : line.slice(colon + 1);
      if (text.startsWith(" ")) text = text.slice(1);
      if (field === "event") event.event = text;
      else if (field === "data") event.data.push(text);
      else if (field === "id") event.id = text;
    }
  }
}
