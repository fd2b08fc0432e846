/**
 * A name in another namespace than the root's: its path from the root (`StudentPersonal/PersonInfo`,
 * `…/Name/@e:Type` for an attribute) and its namespace (undefined: none, or an undeclared prefix).
 */
export interface ForeignName {
  path: string;
  namespace: string | undefined;
}

/** What namespace resolution needs of an element being read (the parser's frame has more). */
export interface NamespacedTag {
  qname: string;
  local: string;
  // Made only when the element declares a namespace or has a prefixed attribute.
  decls: Map<string, string> | undefined;
  prefixedAttributes: string[] | undefined;
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/**
 * The namespaces of one parse: the root's, and the first name outside it. Names are only resolved
 * once a child declares a namespace or a prefix appears, so plain documents pay one check per tag.
 *
 * @example
 * const scope = new NamespaceScope(stack);
 * scope.declare(frame, '', 'http://…/na/3.6', true); // xmlns on the root
 * scope.endOfStartTag(frame, true);
 * scope.rootNamespace; // 'http://…/na/3.6'
 */
export class NamespaceScope {
  // As declared (`xmlns=""` reads as ''), and as compared with other names (none: undefined).
  rootNamespace: string | undefined;
  private rootUri: string | undefined;
  // Set once a child declares a namespace or a prefix appears: from then on names are resolved.
  private namespaced = false;
  foreign: ForeignName | undefined;

  /** `open`: the elements enclosing the current one, outermost first (the parser's stack). */
  constructor(private readonly open: readonly NamespacedTag[]) {}

  /** An `xmlns` (prefix '') or `xmlns:prefix` attribute of `tag`. */
  declare(tag: NamespacedTag, prefix: string, uri: string, isRoot: boolean): void {
    (tag.decls ??= new Map()).set(prefix, uri);
    if (!isRoot) this.namespaced = true;
  }

  /** At the end of a start tag: the root's namespace, or whether this element leaves it. */
  endOfStartTag(tag: NamespacedTag, isRoot: boolean): void {
    const prefixed = tag.local.length !== tag.qname.length;
    if (isRoot) {
      this.rootNamespace = this.declared(prefixed ? tag.qname.slice(0, tag.qname.indexOf(':')) : '', tag);
      this.rootUri = this.rootNamespace || undefined;
      // Under a prefixed root an unprefixed child is in no namespace: every name must be resolved.
      this.namespaced = prefixed || tag.prefixedAttributes !== undefined;
      if (tag.prefixedAttributes) this.checkAttributes(tag);
      return;
    }
    if (prefixed || tag.prefixedAttributes) this.namespaced = true;
    if (!this.namespaced || this.foreign) return;
    const namespace = this.resolve(prefixed ? tag.qname.slice(0, tag.qname.indexOf(':')) : '', tag);
    if (namespace !== this.rootUri) this.foreign = { path: this.pathTo(tag), namespace };
    else if (tag.prefixedAttributes) this.checkAttributes(tag);
  }

  private checkAttributes(tag: NamespacedTag): void {
    for (const qname of tag.prefixedAttributes!) {
      const namespace = this.resolve(qname.slice(0, qname.indexOf(':')), tag);
      if (namespace !== this.rootUri) {
        this.foreign = { path: `${this.pathTo(tag)}/@${qname}`, namespace };
        return;
      }
    }
  }

  /** The namespace a prefix ('' for the default) stands for at `tag`; undefined for none. */
  private resolve(prefix: string, tag: NamespacedTag): string | undefined {
    // xmlns="" takes the default namespace away.
    return this.declared(prefix, tag) || undefined;
  }

  /** The innermost declaration of a prefix in scope at `tag`, as written. */
  private declared(prefix: string, tag: NamespacedTag): string | undefined {
    let uri = tag.decls?.get(prefix);
    for (let i = this.open.length - 1; uri === undefined && i >= 0; i--) uri = this.open[i]!.decls?.get(prefix);
    return uri === undefined && prefix === 'xml' ? XML_NAMESPACE : uri;
  }

  private pathTo(tag: NamespacedTag): string {
    let path = '';
    for (const f of this.open) path += `${f.local}/`;
    return path + tag.local;
  }
}
