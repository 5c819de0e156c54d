import * as pulumi from "@pulumi/pulumi";

// The smallest dynamic resource: an inline provider that does nothing. Its preview cost is the
// floor for any dynamic-provider resource, whatever the package behind it does.
const noop: pulumi.dynamic.ResourceProvider = {
    async check(_olds, news) {
        return { inputs: news };
    },
    async diff() {
        return { changes: false };
    },
    async create(inputs) {
        return { id: "noop", outs: inputs };
    },
};

class Noop extends pulumi.dynamic.Resource {
    constructor(name: string) {
        super(noop, name, { value: "x" }, {}, "bench", "Noop");
    }
}

new Noop("noop");
