// What Cloudalus ids say by their shape, shared by the reference evaluator and the table builder.

/** Whether an id is an access key's (resource type `ak/<id>`): an unknown one is the unauthenticated caller. */
export const isAccessKeyId = (id: string): boolean => id.startsWith("ak/");
