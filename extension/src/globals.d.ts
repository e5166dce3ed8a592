// Globals the extension's scripts share: the engine's parts (content/*.js,
// injected into pages as classic scripts), the Go matcher (matcher.wasm) and
// the sidebar's media helpers.
export {};

declare global {
  /** A field the engine found: its editing surface, the editor that owns it, the page's own element, the box it shows in. */
  type Field = { el: HTMLElement; kind: string; anchor: Element; box: Element; container?: Element };
  /** What a field held before an insertion. */
  type Snapshot = { value?: string; html?: string; text: string };
  /** An error with a contract code (see README). */
  type CodedError = Error & { code?: string };

  var sidenoteParts: {
    text: {
      squash(s: string | null | undefined): string;
      escapeHTML(s: string): string;
      toHTML(text: string): string;
      oneLine(text: string): string;
      joinAppend(existing: string, text: string, multiline: boolean): string;
      landedText(now: string, want: string, before: string): boolean;
      stripPlaceholders(text: string, placeholderTexts: string[], placeholderAttr: string): string;
      tooLong(limit: number, length: number): string;
      pageLength(s: string): number;
    };
    fields: {
      findFields(): Field[];
      usable(field: Field): boolean;
      describe(field: Field, stamp: string): { stamp: string; label: string; name: string; [k: string]: unknown };
      currentText(field: Field): string;
      editingSurface(el: Element): Field | null;
    };
    write: {
      write(field: Field, text: string, mode: string, before: Snapshot): Promise<string>;
      snapshot(field: Field): Snapshot;
      restore(field: Field, before: Snapshot): Promise<boolean>;
      settle(fields: Field[], limitMs?: number): Promise<void>;
    };
  };
  var sidenoteEngine: Record<string, (arg: any) => unknown> | undefined;
  var sidenoteMatch: (request: unknown) => any;
  var sidenotePathPattern: (path: string) => string;
  var sidenoteHost: unknown;
  /** The sidebar's media helpers (wasm/web/media.js), which the offscreen document of "Record this tab" loads too. */
  var sidenoteMedia: {
    record(
      stream: MediaStream,
      timesliceMs: number,
      h: { chunk(blob: Blob): void; stop(blob: Blob): void; error(name: string): void },
    ): MediaRecorder;
  };
  var Go: new () => { importObject: WebAssembly.Imports; run(instance: WebAssembly.Instance): Promise<void> };
}
