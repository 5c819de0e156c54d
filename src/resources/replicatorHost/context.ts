/** What every part of the ReplicatorHost component works from: its name, itself and the plan. */
import * as pulumi from "@pulumi/pulumi";

import { MissingPackageError } from "./optionalPackages";
import type { ReplicatorHostPlan } from "./plan";
import { missingPluginWarning } from "./plugins";

export class HostContext {
    constructor(
        readonly name: string,
        readonly component: pulumi.ComponentResource,
        readonly plan: ReplicatorHostPlan,
    ) {}

    /** An error attached to the component, prefixed with its name. */
    error(message: string): pulumi.ResourceError {
        return new pulumi.ResourceError(
            `ReplicatorHost "${this.name}": ${message}`,
            this.component,
        );
    }

    warn(message: string): void {
        void pulumi.log.warn(`ReplicatorHost "${this.name}": ${message}`, this.component);
    }

    /** Runs `load`, turning a missing optional package into an error attached to the component. */
    load<T>(load: () => T): T {
        try {
            return load();
        } catch (err) {
            if (err instanceof MissingPackageError) throw this.error(err.message);
            throw err;
        }
    }

    /** Names the install command when a plugin the engine will need is missing (see plugins.ts). */
    warnIfPluginMissing(sdkPackage: string, neededFor: string, avoidWith: string): void {
        const warning = missingPluginWarning(sdkPackage, neededFor, avoidWith);
        if (warning) this.warn(warning);
    }

    /** Options for a child resource. */
    child(extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
        return { parent: this.component, ...extra };
    }
}
