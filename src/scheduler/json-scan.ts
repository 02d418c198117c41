/**
 * Finds where JSON text first goes wrong. Only called after JSON.parse has failed: V8 gives a
 * position for most errors, but not for "Unexpected token 'x', ..." or "Unexpected end of JSON
 * input", so this walks the grammar (iteratively, so deep nesting cannot overflow the stack) and
 * stops where V8 stops. Returns undefined if it finds no error.
 */
export function syntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const stack: Array<'{' | '['> = [];
  const isDigit = (at: number): boolean => text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57;
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const string = (): boolean => {
    for (i++; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return true;
      }
      if (code < 0x20) return false;
      if (code !== 0x5c) continue;
      const escape = text.charAt(++i);
      if (escape === 'u') {
        const hexDigits = /^[0-9a-fA-F]{0,4}/.exec(text.slice(i + 1, i + 5))![0].length;
        i += hexDigits;
        if (hexDigits < 4) {
          i++;
          return false;
        }
      } else if (escape === '' || !'"\\/bfnrt'.includes(escape)) return false;
    }
    return false;
  };
  const number = (): boolean => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (isDigit(i)) while (isDigit(i)) i++;
    else return false;
    if (text[i] === '.') {
      if (!isDigit(++i)) return false;
      while (isDigit(i)) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      if (text[++i] === '+' || text[i] === '-') i++;
      if (!isDigit(i)) return false;
      while (isDigit(i)) i++;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    let matched = 0;
    while (matched < word.length && text[i + matched] === word[matched]) matched++;
    i += matched;
    return matched === word.length;
  };
  const key = (): boolean => {
    if (text[i] !== '"' || !string()) return false;
    skipSpace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      const empty = text[i] === (c === '{' ? '}' : ']');
      if (empty) i++;
      else {
        stack.push(c);
        if (c === '{' && !key()) return i;
        continue;
      }
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c === '-' || isDigit(i)) {
      if (!number()) return i;
    } else if (c === 't' || c === 'f' || c === 'n') {
      if (!literal(c === 't' ? 'true' : c === 'f' ? 'false' : 'null')) return i;
    } else return i;
    // A value ended: close containers until one expects another element.
    for (;;) {
      skipSpace();
      const top = stack.at(-1);
      if (top === undefined) return i < text.length ? i : undefined;
      if (text[i] === ',') {
        i++;
        skipSpace();
        if (top === '{' && !key()) return i;
        break;
      }
      if (text[i] !== (top === '{' ? '}' : ']')) return i;
      i++;
      stack.pop();
    }
  }
}

/** 1-based line and column (UTF-16 units) of an offset; \n and \r\n end lines. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}
