// Placeholder: built out in issue 4.
export {};
