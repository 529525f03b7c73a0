// A ticket's code as a QR code: an SVG built by qrcode-generator and shown through
// an <img> data URL, so nothing is ever inserted as HTML.

import qrcode from 'qrcode-generator';

export function qrDataUrl(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const svg = qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
