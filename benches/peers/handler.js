// The trivial handler every runtime in the comparison runs.
async function handleEvent(event) {
  return { ok: true, n: event.n };
}
