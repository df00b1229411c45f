// A chat function handler: runs for each event of its trigger type.
// Try: ./scripts/chatfn invoke examples/hello.js --init examples/init.js --event @examples/start-session.json
async function handleEvent(event, context) {
  const { username, authParams } = event;
  console.log(`session attempt by ${username}`);
  if (authParams && authParams.token !== process.env.SESSION_TOKEN) {
    // Throwing from a blocking trigger denies the action.
    throw new Error(`invalid token for ${username}`);
  }
  return { greeting: greet(username), region: settings.region, at: new Date().toISOString() };
}
