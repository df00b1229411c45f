// A handler that calls the chat server's Platform API through `context`.
// Try: ./scripts/chatfn invoke examples/list-users.js --platform-url http://127.0.0.1:9000 --platform-token TOKEN
async function handleEvent(event, context) {
  const response = await context.getUserApi().listUsers();
  const users = response.data._embedded.users;
  console.log(`${users.length} users`);
  return { users: users.map((user) => user.name) };
}
