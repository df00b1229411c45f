// expo-server-sdk: push tokens and message chunking (its API host is fixed
// at load, so no request is made).
const { Expo } = require('expo-server-sdk');

async function handleEvent() {
  const expo = new Expo({ accessToken: 'test-token' });
  const tokens = ['ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]', 'ExpoPushToken[abc]', 'not-a-token', 'F5741A13-BCDA-434B-A316-5DC0E6FFA94F'];
  const messages = Array.from({ length: 205 }, (_, i) => ({ to: tokens[0], body: `message ${i}`, data: { i } }));
  const chunks = expo.chunkPushNotifications(messages);
  const receipts = expo.chunkPushNotificationReceiptIds(Array.from({ length: 1201 }, (_, i) => `id-${i}`));
  return {
    tokens: tokens.map((t) => Expo.isExpoPushToken(t)),
    chunks: chunks.map((c) => c.length),
    lastBody: chunks[2][4].body,
    receipts: receipts.map((c) => c.length),
  };
}
