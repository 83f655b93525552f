// cfn-lint (npm, martysweet/cfn-lint) on a CloudFormation template:
//   node tests/deploy/cfn-lint.cjs TEMPLATE [PARAMETER=VALUE...]
//   exit 0 clean, 2 errors, 4 warnings only. Parameters without a value or a
//   default are guessed (cfn-lint's string_input_NAME).
// The npm cfn-lint is retired: it still resolves every intrinsic function and
// checks each resource's properties (names, types, required ones, allowed
// values) against the CloudFormation resource specification, but its own
// copy of that specification is from 2019 and it knows no Fn::Cidr. So it
// runs here with the newer specification of @aws-cdk/cfnspec merged over its
// own, and with each Fn::Cidr of a parameter computed from the parameter's
// default (as CloudFormation would) before validation.
'use strict';
const path = require('path');

const intrinsics = require('cfn-lint/data/aws_intrinsic_functions.json');
intrinsics['Fn::Cidr'] = {}; // before the parser loads: its YAML schema gets !Cidr
const awsData = require('cfn-lint/lib/awsData');
const parser = require('cfn-lint/lib/parser');
const validator = require('cfn-lint/lib/validator');
const newer = require('@aws-cdk/cfnspec/spec/specification.json');

for (const kind of ['ResourceTypes', 'PropertyTypes'])
    Object.assign(awsData.awsResources[kind], newer[kind]);

// Fn::Cidr [block, count, bits]: `count` subnets of 2^bits addresses each.
function cidr(block, count, bits) {
    const [address, prefix] = block.split('/');
    const base = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    if (!(Number(prefix) <= 32 - bits))
        throw new Error(`Fn::Cidr: ${block} has no room for /${32 - bits} subnets`);
    return Array.from({ length: count }, (_, i) => {
        const n = base + i * 2 ** bits;
        return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.') + `/${32 - bits}`;
    });
}

function resolveCidr(node, parameters) {
    if (Array.isArray(node))
        return node.map((item) => resolveCidr(item, parameters));
    if (node === null || typeof node !== 'object')
        return node;
    if (Object.keys(node).length === 1 && 'Fn::Cidr' in node) {
        let [block, count, bits] = node['Fn::Cidr'];
        if (block && block.Ref)
            block = (parameters[block.Ref] || {}).Default;
        if (typeof block !== 'string')
            throw new Error('Fn::Cidr: the block must be a string or a Ref to a parameter with a Default');
        return cidr(block, Number(count), Number(bits));
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveCidr(v, parameters)]));
}

const [file, ...values] = process.argv.slice(2);
if (!file) {
    console.error('usage: node cfn-lint.cjs TEMPLATE [PARAMETER=VALUE...]');
    process.exit(64);
}
for (const value of values)
    validator.addParameterValue(value.split('=')[0], value.slice(value.indexOf('=') + 1));
const template = parser.openFile(path.resolve(file));
const result = validator.validateJsonObject(resolveCidr(template, template.Parameters || {}));
console.log(`cfn-lint ${require('cfn-lint/package.json').version}, CloudFormation specification `
            + `${newer.ResourceSpecificationVersion} (@aws-cdk/cfnspec)`);
for (const level of ['crit', 'warn', 'info'])
    for (const e of result.errors[level])
        console.log(`${level}: ${e.resource}: ${e.message}`);
process.exit(result.errors.crit.length ? 2 : result.errors.warn.length ? 4 : 0);
