/**
 * Base64 of the UTF-8 bytes of `text`, with only what every platform has (TextEncoder and btoa:
 * Node 20, browsers, React Native), so the client core never needs Node's Buffer.
 *
 * @example
 * base64OfText('TestSIS:Password1'); // 'VGVzdFNJUzpQYXNzd29yZDE='
 */
export function base64OfText(text: string): string {
  return base64OfBytes(new TextEncoder().encode(text));
}

/**
 * Base64 of raw bytes (a digest, say).
 *
 * @example
 * base64OfBytes(new Uint8Array([255, 0])); // '/wA='
 */
export function base64OfBytes(bytes: Uint8Array): string {
  // btoa takes a "binary string": one character per byte. Built in chunks, not one giant spread.
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
