// The app's session helpers the docs' examples import (`../session`, `~/session.server`): the docs
// test resolves any app module named `session` that a page does not show to this stand-in.
export declare function requireUserId(request: Request): Promise<string>
export declare function listNotes(userId: string): Promise<{ id: string; title: string }[]>
