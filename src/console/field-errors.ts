/**
 * Which field an API validation message is about. The API names the property first, by its
 * path: "Rules[1].TTL \"x\" must be whole seconds…", "ForbiddenIps[0] \"…\" is not…",
 * "Body property RefererControl.Referers[2] must be a string.", "RefererControl.Enabled…".
 * The console shows the message beside that field; a message about no known field stays at the
 * form's top.
 */

const PATH = /^(?:Body property |Query parameter )?([A-Za-z]+(?:\[\d+\])?(?:\.[A-Za-z]+(?:\[\d+\])?)*)/;

/** The property path a message starts with, e.g. "Rules[1].TTL"; undefined when it names none. */
export function fieldOf(message: string): string | undefined {
  const match = PATH.exec(message);
  if (!match) return undefined;
  const path = match[1]!;
  // A sentence that starts with an ordinary word ("The request body…") names no property.
  return /^[A-Z][a-z]+[A-Z]|\[|\./.test(path) || /^(Rules|Items|TTL|ForbiddenIps|RefererControl|Host|Origin|CustomDomain|Files|Directories|Name|PublicCertificate|PrivateKey)$/.test(path)
    ? path
    : undefined;
}

/**
 * Whether the error about `path` belongs to the field `field`: the field itself or something
 * inside it ("Rules[1]" owns "Rules[1].TTL"; "ForbiddenIps" owns "ForbiddenIps[3]").
 */
export function belongsTo(path: string | undefined, field: string): boolean {
  if (path === undefined) return false;
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}
