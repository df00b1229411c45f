// The chat runtime's initialization script: runs once when the function's
// image is built; what it defines is there for every invocation.
const settings = { region: process.env.REGION || 'eu-west-1' };

function greet(name) {
  return `Hello, ${name}!`;
}
