// firebase 7.24.0 (the spec's init-script example): initializing apps.
// Live-only: its dependency tree is about 20 MB of tarballs.
const firebase = require('firebase');

async function handleEvent() {
  const config = {
    apiKey: 'test-api-key',
    authDomain: 'demo-chat.firebaseapp.com',
    databaseURL: 'https://demo-chat.firebaseio.com',
    projectId: 'demo-chat',
    storageBucket: 'demo-chat.appspot.com',
    messagingSenderId: '1234567890',
    appId: '1:1234567890:web:abcdef',
  };
  const app = firebase.apps.length ? firebase.app() : firebase.initializeApp(config);
  const other = firebase.initializeApp({ ...config, projectId: 'other' }, 'other');
  let duplicate;
  try {
    firebase.initializeApp(config, 'other');
  } catch (err) {
    duplicate = err.code;
  }
  const names = firebase.apps.map((a) => a.name);
  await other.delete();
  return {
    sdk: firebase.SDK_VERSION,
    names,
    after: firebase.apps.map((a) => a.name),
    options: app.options,
    duplicate,
  };
}
