/**
 * SageMaker validates its API patterns with Java regular expressions, where `.` matches any
 * character except the line terminators CR, LF, U+0085 (next line), U+2028 and U+2029. JavaScript's
 * `.` does match U+0085, so a pattern copied from the model would let it through.
 */
export const JAVA_DOT = '[^\\n\\r\\u0085\\u2028\\u2029]';

/** The line terminators a Java `.` refuses (for messages and tests). */
export const LINE_TERMINATORS: readonly string[] = ['\r', '\n', '\u0085', '\u2028', '\u2029'];

/**
 * Compiles a pattern of the SageMaker API model (botocore) as the service applies it: anchored as a
 * whole-string match, `.` with Java's semantics (no line terminators). `.` inside a character class
 * or escaped stays a literal dot.
 */
export function modelPattern(source: string): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      out += char + (source[i + 1] ?? '');
      i++;
    } else if (inClass) {
      inClass = char !== ']';
      out += char;
    } else if (char === '[') {
      inClass = true;
      out += char;
    } else {
      out += char === '.' ? JAVA_DOT : char;
    }
  }
  return new RegExp(`^(?:${out})$`, 'u');
}

/** The first line terminator in a text, described for a message (`LF at character 3`), or undefined. */
export function lineTerminatorAt(text: string): string | undefined {
  const index = text.search(/[\n\r\u0085\u2028\u2029]/u);
  if (index < 0) {
    return undefined;
  }
  const names: Record<string, string> = { '\r': 'CR', '\n': 'LF', '\u0085': 'U+0085', '\u2028': 'U+2028', '\u2029': 'U+2029' };
  return `${names[text[index]]} at character ${index}`;
}
