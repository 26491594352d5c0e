// Whether a file is written in the DSL, decided by its name. Its own module, free of the grammar,
// so that the front end can ask without loading chevrotain (a third of a second at startup),
// which it then loads only for runs that read a `.iam` file.

/** Whether a file name is a DSL file. */
export const isIamFile = (file: string): boolean => file.toLowerCase().endsWith(".iam");
