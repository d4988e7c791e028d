// Pragma: revalidate 60
export const title = 'a module with a pragma and nothing to cache'
