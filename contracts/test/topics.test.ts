import { describe, expect, it } from 'vitest';
import { cameraMqttTopic, deviceTopicFilter, parseMqttTopic, statusMqttTopic, streamMqttTopic } from '../src/index.js';

describe('MQTT topics', () => {
  it('builds and parses stream topics', () => {
    const t = streamMqttTopic('pi-1', 'gps');
    expect(t).toBe('fleetlake/v1/pi-1/gps');
    expect(parseMqttTopic(t)).toEqual({ ok: true, topic: { kind: 'stream', deviceId: 'pi-1', stream: 'gps', kafkaTopic: 'gps_data' } });
  });
  it('builds and parses camera and status topics', () => {
    expect(parseMqttTopic(cameraMqttTopic('pi-1', 'f-9'))).toEqual({
      ok: true, topic: { kind: 'camera', deviceId: 'pi-1', frameId: 'f-9', kafkaTopic: 'camera_frames' },
    });
    expect(parseMqttTopic(statusMqttTopic('pi-1'))).toEqual({ ok: true, topic: { kind: 'status', deviceId: 'pi-1' } });
    expect(deviceTopicFilter()).toBe('fleetlake/v1/+/#');
  });
  it.each([
    ['other root', 'telemetry/v1/pi-1/gps'],
    ['old version', 'fleetlake/v0/pi-1/gps'],
    ['unknown stream', 'fleetlake/v1/pi-1/radar'],
    ['tutorial topic name as stream', 'fleetlake/v1/pi-1/gps_data'],
    ['empty device', 'fleetlake/v1//gps'],
    ['wildcard device', 'fleetlake/v1/+/gps'],
    ['camera without frame', 'fleetlake/v1/pi-1/camera'],
    ['frame id with dots only leading', 'fleetlake/v1/pi-1/camera/.hidden'],
    ['too deep', 'fleetlake/v1/pi-1/gps/extra'],
    ['too short', 'fleetlake/v1'],
  ])('rejects %s', (_name, topic) => {
    expect(parseMqttTopic(topic).ok).toBe(false);
  });
  it('refuses to build topics from unsafe ids', () => {
    expect(() => streamMqttTopic('a/b', 'gps')).toThrow(/deviceId/);
    expect(() => cameraMqttTopic('pi', '#')).toThrow(/frameId/);
  });
});
