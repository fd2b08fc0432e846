import type { ExampleAppOptions } from '../../example-app/app';
import { listen, startExample } from '../helpers/example';

/** The example SIS served over real HTTP on a free loopback port; `url` is its SIF mount point. */
export interface RunningProvider {
  url: string;
  example: ReturnType<typeof startExample>;
  close(): Promise<void>;
}

/**
 * Starts the example SIS in-process and listens on 127.0.0.1:0.
 *
 * @example
 * const provider = await startProvider({ seed: { students: 50 } });
 */
export async function startProvider(options: Partial<ExampleAppOptions> = {}): Promise<RunningProvider> {
  const example = startExample({ seed: { students: 50, rostersPerSchool: 1, rosterSize: 5 }, ...options });
  const server = await listen(example.app);
  return {
    url: `${server.base}/sif3`,
    example,
    close: async () => {
      await server.close();
      await example.close();
    },
  };
}

/** The example's consumer with every right on xStudents, xSchools and the service paths. */
export const DEMO = { applicationKey: 'DemoApp', secret: 'DemoSecret' } as const;

/** The xStudent elements that repeat (the example's `repeatable` list). */
export const STUDENT_REPEATABLE = ['otherIds/otherId', 'otherNames/name', 'otherPhoneNumbers/phoneNumber', 'otherEmails/email'];

/** A new student the example accepts. */
export function newStudent(familyName: string, givenName = 'Test'): { name: { type: string; familyName: string; givenName: string } } {
  return { name: { type: 'LegalName', familyName, givenName } };
}

/** Every item of an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
