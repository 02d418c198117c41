// ECharts' type declarations name browser types (canvas, image, DOM node). pktgen renders its charts
// to SVG strings in Node, with no DOM, and keeps skipLibCheck off (it checks the generated protocol
// declarations): these opaque stand-ins satisfy the names without pulling the whole DOM lib into
// every source file. If "DOM" is ever added to tsconfig's lib, delete this file.
declare global {
  interface CanvasGradient { readonly __canvasGradient?: never }
  interface CanvasPattern { readonly __canvasPattern?: never }
  interface CanvasRenderingContext2D { readonly __canvasRenderingContext2D?: never }
  type CanvasLineCap = 'butt' | 'round' | 'square';
  type CanvasLineJoin = 'bevel' | 'miter' | 'round';
  type CanvasTextAlign = 'center' | 'end' | 'left' | 'right' | 'start';
  type CanvasTextBaseline = 'alphabetic' | 'bottom' | 'hanging' | 'ideographic' | 'middle' | 'top';
  interface Node { readonly __domNode?: never }
  interface HTMLImageElement { onload: unknown; onerror: unknown }
}
export {};
